package redelivery

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec"
)

// DefaultMaxWait bounds how long one retry waits, Retry-After included: a
// few seconds, so that a check retries often enough within its time limit
// while still honouring what a receiver asks for.
const DefaultMaxWait = 3 * time.Second

// Policy says when shed deliveries are sent again.
type Policy struct {
	// InFlight is the most attempts outstanding at once (at least 1).
	InFlight int
	// Schedule holds the offsets of the attempts from the first one
	// (Schedule[0] is 0), as the contract's x-minivoice-retry, compressed.
	// Past its end, retries go on at its last gap until Until.
	Schedule []time.Duration
	// Jitter varies each wait by ±Jitter of it, as the contract's does.
	Jitter float64
	// MaxWait bounds every wait between attempts and the Retry-After
	// honoured; zero means DefaultMaxWait.
	MaxWait time.Duration
	// Until is when the last retry may start; zero means the context's
	// deadline, or retries stop with the schedule.
	Until time.Time
}

// Compress returns a policy that keeps the contract's retry schedule
// shape with its last offset moved to span (MiniVoice's hours become a
// check's seconds), its jitter, and inFlight attempts at a time.
func Compress(p spec.RetryPolicy, span time.Duration, inFlight int) Policy {
	out := Policy{InFlight: max(inFlight, 1), Jitter: p.Jitter, MaxWait: DefaultMaxWait}
	if len(p.Schedule) == 0 {
		return out
	}
	last := p.Schedule[len(p.Schedule)-1]
	for _, d := range p.Schedule {
		if last <= 0 {
			out.Schedule = append(out.Schedule, 0)
			continue
		}
		out.Schedule = append(out.Schedule, time.Duration(float64(span)*float64(d)/float64(last)))
	}
	return out
}

// Shed reports whether an answer sheds load (429, or 503 with
// Retry-After): backpressure, which MiniVoice meets by retrying later.
func Shed(status int, retryAfter string) bool {
	return status == http.StatusTooManyRequests ||
		(status == http.StatusServiceUnavailable && strings.TrimSpace(retryAfter) != "")
}

// RetryAfter reads a Retry-After header (delay-seconds or an HTTP date,
// RFC 9110 section 10.2.3) as a wait from now; ok is false when it is
// absent or unreadable.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<20)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// Wait is how long after a shed answer to attempt n+1 (n attempts made):
// the schedule's gap before it (its last gap past its end), at least the
// Retry-After asked for, all bounded by MaxWait, then jittered. Run uses
// it, and so does mvh load, whose open model paces its own deliveries.
func (p Policy) Wait(n int, retryAfter string, now time.Time, rng *rand.Rand) time.Duration {
	bound := p.MaxWait
	if bound <= 0 {
		bound = DefaultMaxWait
	}
	var gap time.Duration
	if k := len(p.Schedule); k >= 2 {
		i := min(n, k-1)
		gap = p.Schedule[i] - p.Schedule[i-1]
	}
	if ra, ok := RetryAfter(retryAfter, now); ok {
		gap = max(gap, ra)
	}
	gap = min(gap, bound)
	if p.Jitter > 0 && gap > 0 {
		gap += time.Duration((rng.Float64()*2 - 1) * p.Jitter * float64(gap))
	}
	return gap
}

// retriesLeft reports whether attempt n+1 may still be made at t.
func (p Policy) retriesLeft(n int, t time.Time, deadline time.Time, hasDeadline bool) bool {
	switch {
	case !p.Until.IsZero():
		return !t.After(p.Until)
	case hasDeadline:
		return t.Before(deadline)
	}
	return n < len(p.Schedule)
}
