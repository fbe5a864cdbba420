package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/minivoice/mvh/mock"
)

// attemptPrinter writes one line per attempt as the engine reports them;
// workers report concurrently, so lines are serialised.
type attemptPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	json  bool
	scale float64
}

// attemptLine is the --json form of one attempt.
type attemptLine struct {
	DeliveryID  string     `json:"delivery_id"`
	Event       string     `json:"event"`
	CallID      string     `json:"call_id,omitempty"`
	Attempt     int        `json:"attempt"`
	Status      int        `json:"status,omitempty"`
	ErrorClass  string     `json:"error_class,omitempty"`
	Error       string     `json:"error,omitempty"`
	LatencyMS   float64    `json:"latency_ms"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	StartedAt   time.Time  `json:"started_at"`
	SentAt      time.Time  `json:"sent_at"` // real time; the others are schedule time
	NextRetryAt *time.Time `json:"next_retry_at,omitempty"`
	Outcome     string     `json:"outcome"` // retry, delivered, failed
	Chaos       []string   `json:"chaos,omitempty"`
}

func (p *attemptPrinter) print(d mock.Delivery, a mock.Attempt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	outcome := "retry"
	if d.Status != mock.StatusPending {
		outcome = d.Status
	}
	if p.json {
		b, _ := json.Marshal(attemptLine{
			DeliveryID: d.ID, Event: d.Event, CallID: d.CallID, Attempt: a.N, Status: a.Status,
			ErrorClass: a.ErrorClass, Error: a.Error, LatencyMS: float64(a.Latency.Microseconds()) / 1000,
			ScheduledAt: a.ScheduledAt, StartedAt: a.StartedAt, SentAt: a.SentAt, NextRetryAt: a.NextRetryAt,
			Outcome: outcome, Chaos: d.Chaos,
		})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintf(p.w, "%s %s attempt %d: %s in %s; %s\n", d.Event, d.ID, a.N, result(a),
		a.Latency.Round(100*time.Microsecond), p.next(d, a))
}

// result is the status code, or the error class with its detail.
func result(a mock.Attempt) string {
	switch {
	case a.ErrorClass == "" || a.ErrorClass == mock.ClassHTTP:
		return fmt.Sprintf("status %d", a.Status)
	case a.Error != "":
		return fmt.Sprintf("%s (%s)", a.ErrorClass, a.Error)
	}
	return a.ErrorClass
}

// next says what happens after the attempt: the next retry as an offset from
// the delivery's creation in schedule time (plus the real wait when the
// schedule is scaled), or the final outcome.
func (p *attemptPrinter) next(d mock.Delivery, a mock.Attempt) string {
	switch {
	case d.Status == mock.StatusDelivered:
		return "delivered"
	case d.Status == mock.StatusFailed:
		return "schedule exhausted, failed"
	case a.NextRetryAt == nil:
		return "pending"
	}
	off := a.NextRetryAt.Sub(d.CreatedAt)
	s := "next retry at +" + off.Round(time.Millisecond).String()
	if p.scale > 0 && p.scale != 1 {
		real := time.Duration(float64(off)*p.scale) - time.Since(d.CreatedAt)
		s += fmt.Sprintf(" (in %s real time)", max(real, 0).Round(time.Millisecond))
	}
	return s
}

// summary ends a run: exit 0 when every delivery was accepted, else 1.
func (p *attemptPrinter) summary(ds []mock.Delivery) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delivered := 0
	for _, d := range ds {
		if d.Status == mock.StatusDelivered {
			delivered++
		}
	}
	if !p.json {
		fmt.Fprintf(p.w, "delivered %d of %d deliveries\n", delivered, len(ds))
	}
	if delivered < len(ds) {
		return silentFailure
	}
	return nil
}
