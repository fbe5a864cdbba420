package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Forwarding defaults. The downstream timeout must exceed any sane slow
// downstream (a CRM may take seconds): a forward cut off by our own timeout
// may still have been applied, and would be sent again. The lease is longer
// than the timeout, so a claimed row is never claimed twice while in flight.
const (
	forwardTimeout = 30 * time.Second
	forwardLease   = 2 * forwardTimeout
	forwardWorkers = 4
	forwardPoll    = 200 * time.Millisecond
)

// forwarder sends outbox rows downstream after the webhook was answered, so
// a slow or failing downstream never delays the answer nor loses an event: a
// row is marked forwarded only after a 2xx and retried with backoff until
// then. A few workers run at once so one slow record does not hold up the
// others.
type forwarder struct {
	store   Store
	send    func(ctx context.Context, rec Record) error // Steps.Forward
	logger  *slog.Logger
	workers int
	poll    time.Duration                   // idle workers look for due retries this often
	lease   time.Duration                   // a claimed row stays hidden this long
	backoff func(attempt int) time.Duration // delay after the attempt-th failure
	wake    chan struct{}
}

func newForwarder(st Store, send func(context.Context, Record) error, logger *slog.Logger) *forwarder {
	return &forwarder{
		store:   st,
		send:    send,
		logger:  logger,
		workers: forwardWorkers,
		poll:    forwardPoll,
		lease:   forwardLease,
		backoff: exponential(500*time.Millisecond, time.Minute),
		wake:    make(chan struct{}, 1),
	}
}

// exponential doubles the delay from base after each failure, up to limit.
func exponential(base, limit time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
}

// Notify wakes an idle worker; it never blocks the webhook handler.
func (f *forwarder) Notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run forwards until ctx ends. Rows still unsent then stay in the outbox.
func (f *forwarder) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range f.workers {
		wg.Go(func() { f.work(ctx) })
	}
	wg.Wait()
}

func (f *forwarder) work(ctx context.Context) {
	tick := time.NewTicker(f.poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil && f.forwardNext(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-tick.C:
		}
	}
}

// forwardNext sends one due row, if any, and reports whether it found one.
func (f *forwarder) forwardNext(ctx context.Context) bool {
	p, ok, err := f.store.Claim(ctx, time.Now(), f.lease)
	if err != nil {
		if ctx.Err() == nil {
			f.logger.Error("forward", "error", err)
		}
		return false
	}
	if !ok {
		return false
	}
	f.Notify() // more rows may be due: let another idle worker look too
	rec := Record{EventKey: p.CallID + ":" + p.Event, CallID: p.CallID, Event: p.Event, Envelope: p.Envelope}
	// A forward under way finishes even when shutdown begins: cut off, it
	// may have reached the downstream unmarked, and would be sent again.
	sctx, cancelSend := context.WithTimeout(context.WithoutCancel(ctx), forwardTimeout)
	err = f.send(sctx, rec)
	cancelSend()
	// Book-keeping outlives shutdown briefly, so a finished forward is recorded.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err != nil {
		next := time.Now().Add(f.backoff(p.Attempts))
		f.logger.Warn("forward failed", "call_id", p.CallID, "event", p.Event,
			"attempt", p.Attempts, "retry_at", next, "error", err)
		if err := f.store.Retry(bctx, p.ID, next, err); err != nil {
			f.logger.Error("forward", "error", err)
		}
		return true
	}
	if err := f.store.Forwarded(bctx, p.ID, time.Now()); err != nil {
		f.logger.Error("forward", "error", err)
	}
	f.logger.Info("forwarded", "call_id", p.CallID, "event", p.Event, "attempt", p.Attempts)
	return true
}

// poster POSTs records to one downstream URL: the reference's Forward step.
type poster struct {
	url    string
	client *http.Client
}

func newPoster(url string) *poster {
	return &poster{url: url, client: &http.Client{Timeout: forwardTimeout}}
}

// Post sends one record; only a 2xx counts as forwarded.
func (p *poster) Post(ctx context.Context, rec Record) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode %s: %w", rec.EventKey, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("downstream %s: %w", p.url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", rec.EventKey) // lets the downstream absorb a retried forward
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("downstream answered %s", resp.Status)
	}
	return nil
}
