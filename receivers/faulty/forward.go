package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// Limits of the in-memory forward queue. It stands for the goroutine-and-
// retry loop many receivers start instead of an outbox: retried a few times,
// lost when the process ends.
const (
	memoryAttempts = 8
	memoryParallel = 8
	memoryBackoff  = 500 * time.Millisecond
)

// memoryQueue forwards records outside the reference's outbox, in
// goroutines, each hold after it was added, with a few retries; whatever is
// queued when ctx ends is lost.
type memoryQueue struct {
	ctx     context.Context
	forward func(context.Context, receiver.Record) error
	hold    time.Duration
	logger  *slog.Logger
	backoff time.Duration
	sem     chan struct{}
}

func newMemoryQueue(ctx context.Context, forward func(context.Context, receiver.Record) error, hold time.Duration, logger *slog.Logger) *memoryQueue {
	return &memoryQueue{ctx: ctx, forward: forward, hold: hold, logger: logger, backoff: memoryBackoff,
		sem: make(chan struct{}, memoryParallel)}
}

// Add queues rec and returns at once.
func (q *memoryQueue) Add(rec receiver.Record) { go q.deliver(rec) }

func (q *memoryQueue) deliver(rec receiver.Record) {
	select {
	case <-time.After(q.hold):
	case <-q.ctx.Done():
		return
	}
	delay := q.backoff
	for attempt := 1; attempt <= memoryAttempts; attempt++ {
		select {
		case q.sem <- struct{}{}:
		case <-q.ctx.Done():
			return
		}
		err := q.forward(q.ctx, rec)
		<-q.sem
		if err == nil {
			q.logger.Info("forwarded from memory", "event_key", rec.EventKey, "attempt", attempt)
			return
		}
		q.logger.Warn("forward failed", "event_key", rec.EventKey, "attempt", attempt, "error", err)
		select {
		case <-time.After(delay):
			delay *= 2
		case <-q.ctx.Done():
			return
		}
	}
	q.logger.Error("forward abandoned", "event_key", rec.EventKey, "attempts", memoryAttempts)
}

// syncWait bounds how long sync-downstream holds an answer for its
// forward: longer than any slow downstream a check simulates.
const syncWait = 30 * time.Second

// syncDownstreamStep holds each new event's answer until the reference's
// forwarder has delivered it downstream: the Forward step reports each
// record it delivered, and the Store step waits for its own.
func (f *faults) syncDownstreamStep(s *receiver.Steps) {
	var mu sync.Mutex
	waiting := map[string]chan struct{}{}
	forward := f.ref.Forward
	if forward == nil {
		return
	}
	s.Forward = func(ctx context.Context, rec receiver.Record) error {
		err := forward(ctx, rec)
		mu.Lock()
		if ch := waiting[rec.EventKey]; ch != nil && err == nil {
			close(ch)
			delete(waiting, rec.EventKey)
		}
		mu.Unlock()
		return err
	}
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		// Copies of one event share one channel: only the copy that stored
		// it waits, and the forward of its record releases it.
		mu.Lock()
		ch := waiting[env.Key()]
		if ch == nil {
			ch = make(chan struct{})
			waiting[env.Key()] = ch
		}
		mu.Unlock()
		isNew, err := f.ref.Store(ctx, env, body)
		if err != nil || !isNew {
			return isNew, err
		}
		select {
		case <-ch:
		case <-time.After(syncWait):
		case <-f.ctx.Done():
		}
		return true, nil
	}
}
