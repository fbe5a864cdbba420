package main

import (
	"context"
	"sync"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

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
