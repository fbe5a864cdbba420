package main

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

// Forwarding limits. The faulty receiver is a throwaway test program, so it
// keeps its forward queue in memory (goroutines) rather than in an outbox
// table as the reference does; what the suites observe is the same: one
// POST per new record, retried until a 2xx.
const (
	forwardTimeout  = 30 * time.Second
	forwardAttempts = 8
	forwardParallel = 8
)

// record is the business record the downstream receives; the same shape as
// the reference's.
type record struct {
	EventKey string          `json:"event_key"`
	CallID   string          `json:"call_id"`
	Event    string          `json:"event"`
	Envelope json.RawMessage `json:"envelope"`
}

func newRecord(callID, event string, envelope []byte) record {
	return record{EventKey: callID + ":" + event, CallID: callID, Event: event, Envelope: envelope}
}

// forwarder POSTs records downstream in the background, retrying failures
// with backoff, at most forwardParallel at once.
type forwarder struct {
	url     string
	client  *http.Client
	logger  *slog.Logger
	backoff time.Duration // delay after the first failure; doubles after each
	sem     chan struct{}
	ctx     context.Context // ends on Close: stops retries and in-flight sends
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newForwarder(url string, logger *slog.Logger) *forwarder {
	ctx, cancel := context.WithCancel(context.Background())
	return &forwarder{
		url:     url,
		client:  &http.Client{Timeout: forwardTimeout},
		logger:  logger,
		backoff: 500 * time.Millisecond,
		sem:     make(chan struct{}, forwardParallel),
		ctx:     ctx,
		cancel:  cancel,
	}
}

// Forward queues rec and returns at once.
func (f *forwarder) Forward(rec record) {
	f.wg.Go(func() { f.deliver(rec) })
}

// Close stops forwarding; records not yet forwarded are dropped.
func (f *forwarder) Close() {
	f.cancel()
	f.wg.Wait()
}

func (f *forwarder) deliver(rec record) {
	delay := f.backoff
	for attempt := 1; attempt <= forwardAttempts; attempt++ {
		select {
		case f.sem <- struct{}{}:
		case <-f.ctx.Done():
			return
		}
		err := f.Send(f.ctx, rec)
		<-f.sem
		if err == nil {
			f.logger.Info("forwarded", "event_key", rec.EventKey, "attempt", attempt)
			return
		}
		f.logger.Warn("forward failed", "event_key", rec.EventKey, "attempt", attempt, "error", err)
		if attempt == forwardAttempts {
			break
		}
		select {
		case <-time.After(delay):
			delay *= 2
		case <-f.ctx.Done():
			return
		}
	}
	f.logger.Error("forward abandoned", "event_key", rec.EventKey, "attempts", forwardAttempts)
}

// Send POSTs one record now; only a 2xx counts.
func (f *forwarder) Send(ctx context.Context, rec record) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode %s: %w", rec.EventKey, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("downstream %s: %w", f.url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.client.Do(req)
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
