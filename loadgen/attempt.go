package loadgen

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/redelivery"
)

// answer is what one attempt got.
type answer struct {
	status     int
	err        error
	latency    time.Duration
	shed       bool
	retryAfter string
}

// deliver sends d, and again while the receiver sheds it (429, or 503
// with Retry-After), freshly signed with the same bytes, on the
// redelivery policy's waits, as MiniVoice redelivers; a redelivery stops
// once any copy of the event was acked, or when the policy's retries or
// time run out.
func (e *engine) deliver(ctx context.Context, d item, due time.Time) {
	var rng *rand.Rand
	for try := 0; ; try++ {
		a := e.attempt(ctx, d, due)
		e.rec.note(d, due, a, try > 0)
		if !a.shed || !e.retryAgain(try+1) || e.rec.isAcked(d) {
			return
		}
		if rng == nil {
			rng = rand.New(rand.NewPCG(uint64(due.UnixNano()), uint64(len(d.key))))
		}
		t := time.NewTimer(e.o.Redelivery.Wait(try+1, a.retryAfter, time.Now(), rng))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		due = time.Now()
	}
}

// retryAgain reports whether attempt n+1 may go: within the policy's
// schedule (a last retry past its end only while Until allows).
func (e *engine) retryAgain(n int) bool {
	p := e.o.Redelivery
	if !p.Until.IsZero() {
		return time.Now().Before(p.Until)
	}
	return n < max(len(p.Schedule), 2)
}

// attempt makes one exchange, signed now; its latency counts from due.
func (e *engine) attempt(ctx context.Context, d item, due time.Time) answer {
	ctx, cancel := context.WithTimeout(ctx, e.o.AttemptTimeout)
	defer cancel()
	req, err := delivery.NewRequest(ctx, e.o.URL, d.event, d.body, time.Now(), e.o.Secret)
	if err != nil {
		return answer{err: err, latency: time.Since(due)}
	}
	resp, err := e.o.Client.Do(req)
	if err != nil {
		return answer{err: err, latency: time.Since(due)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	a := answer{status: resp.StatusCode, latency: time.Since(due), retryAfter: resp.Header.Get("Retry-After")}
	a.shed = redelivery.Shed(a.status, a.retryAfter)
	return a
}

// errorClass names a transport error the way a load report counts it.
func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "other"
}
