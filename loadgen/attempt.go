package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/minivoice/mvh/mock"
)

// Redelivery of shed deliveries: at most maxRedeliveries more copies,
// each after the answer's Retry-After (or defaultBackoff), bounded by
// maxBackoff so a run ends in bounded time.
const (
	maxRedeliveries = 5
	defaultBackoff  = 500 * time.Millisecond
	maxBackoff      = 2 * time.Second
)

// answer is what one attempt got.
type answer struct {
	status  int
	err     error
	latency time.Duration
	shed    bool
	backoff time.Duration
}

// deliver sends d, and again while the receiver sheds it (429, or 503
// with Retry-After), freshly signed with the same bytes, as MiniVoice
// redelivers; a redelivery stops once any copy of the event was acked.
func (e *engine) deliver(ctx context.Context, d delivery, due time.Time) {
	for try := 0; ; try++ {
		a := e.attempt(ctx, d, due)
		e.rec.note(d, due, a, try > 0)
		if !a.shed || try >= maxRedeliveries || e.rec.isAcked(d.key) {
			return
		}
		t := time.NewTimer(a.backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		due = time.Now()
	}
}

// attempt makes one exchange, signed now; its latency counts from due.
func (e *engine) attempt(ctx context.Context, d delivery, due time.Time) answer {
	ctx, cancel := context.WithTimeout(ctx, e.o.AttemptTimeout)
	defer cancel()
	req, err := mock.NewRequest(ctx, e.o.URL, d.event, d.body, time.Now(), e.o.Secret)
	if err != nil {
		return answer{err: err, latency: time.Since(due)}
	}
	resp, err := e.o.Client.Do(req)
	if err != nil {
		return answer{err: err, latency: time.Since(due)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	a := answer{status: resp.StatusCode, latency: time.Since(due)}
	a.backoff, a.shed = Shed(resp)
	return a
}

// Shed reports whether resp sheds load (429, or 503 with Retry-After),
// which a sender answers by redelivering later, and how long to wait:
// Retry-After in seconds, bounded to 2 s so a load run keeps its pace.
func Shed(resp *http.Response) (time.Duration, bool) {
	ra := resp.Header.Get("Retry-After")
	if resp.StatusCode != http.StatusTooManyRequests && (resp.StatusCode != http.StatusServiceUnavailable || ra == "") {
		return 0, false
	}
	wait := defaultBackoff
	if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
		wait = time.Duration(s) * time.Second
	}
	return min(max(wait, 50*time.Millisecond), maxBackoff), true
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

// NewClient is the HTTP client of a run: keep-alive connections enough
// for every worker, no proxy (loopback and the hosts named), no redirects
// followed, no compression, as a webhook sender.
func NewClient(workers int) *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConns:        workers,
			MaxIdleConnsPerHost: workers,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		}}
}
