package main

import (
	"context"
	"errors"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// The crash and downstream defects: each keeps something in memory that
// the reference keeps on disk, for a fixed window, so that a SIGKILL inside
// the window loses it every time and one outside it never does.
const (
	// memoryWindow is how long ack-before-store and volatile-forward-queue
	// hold work in memory after the answer: a full second, far beyond the
	// few milliseconds between an ack and the harness's SIGKILL, and well
	// inside the time records are awaited.
	memoryWindow = time.Second
	// lossyHold is how long lossy-queue keeps each delivery in one of its
	// shedLimit work slots (after storing it, before the answer).
	lossyHold = 100 * time.Millisecond
	// laterTimeout bounds a store made after the answer.
	laterTimeout = 5 * time.Second
)

// ackBeforeStoreStep answers at once and stores a full second later; a
// crash in between loses the event.
func (f *faults) ackBeforeStoreStep(s *receiver.Steps) {
	s.Store = func(_ context.Context, env receiver.Envelope, body []byte) (bool, error) {
		go f.storeAfter(env, body, memoryWindow)
		return true, nil
	}
}

// lossyQueueStep works on at most shedLimit deliveries at once, each
// stored at once (durably: a crash loses nothing) and held lossyHold; a
// delivery that finds every slot taken is acknowledged and dropped, where
// shed-429 answers 429. A burst of 20 in flight fills the slots on every
// run, as each is held far longer than a request takes, while no other
// check has more than 10 deliveries in flight.
func (f *faults) lossyQueueStep(s *receiver.Steps) {
	var busy slots
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		release, ok := busy.take(shedLimit)
		if !ok {
			f.logger.Warn("queue full: delivery acknowledged and dropped", "event_key", env.Key())
			return true, nil
		}
		defer release()
		isNew, err := f.ref.Store(ctx, env, body)
		select {
		case <-time.After(lossyHold):
		case <-ctx.Done():
		}
		return isNew, err
	}
}

// storeAfter stores the event through the reference's step after wait,
// unless the receiver stops first: then it is lost.
func (f *faults) storeAfter(env receiver.Envelope, body []byte, wait time.Duration) {
	select {
	case <-time.After(wait):
	case <-f.ctx.Done():
		f.logger.Warn("stopping: acknowledged delivery lost", "event_key", env.Key())
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.ctx), laterTimeout)
	defer cancel()
	if _, err := f.ref.Store(ctx, env, body); err != nil {
		f.logger.Error("store after the answer", "event_key", env.Key(), "error", err)
	}
}

// forwardNoRetryStep sends each record once: a refused or failed POST is
// logged and given up, and the outbox marks the record done.
func (f *faults) forwardNoRetryStep(s *receiver.Steps) {
	if s.Forward == nil {
		return
	}
	s.Forward = func(ctx context.Context, rec receiver.Record) error {
		if err := f.ref.Forward(ctx, rec); err != nil && !errors.Is(err, context.Canceled) {
			f.logger.Warn("forward failed, giving up", "event_key", rec.EventKey, "error", err)
		}
		return nil
	}
}

// volatileForwardQueueStep stores each event through the reference (which
// keeps no outbox for this defect) and hands its record, before the
// answer, to a queue in memory that sends it memoryWindow later (retrying
// there): a kill or restart within that second loses the record.
func (f *faults) volatileForwardQueueStep(s *receiver.Steps) {
	if s.Forward == nil {
		return
	}
	queue := newMemoryQueue(f.ctx, f.ref.Forward, memoryWindow, f.logger)
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		isNew, err := f.ref.Store(ctx, env, body)
		if err == nil && isNew {
			queue.Add(receiver.Record{EventKey: env.Key(), CallID: env.Call.ID, Event: env.Event, Envelope: body})
		}
		return isNew, err
	}
}
