package mock

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// due is one pending attempt in the timer heap: when (real time, Unix
// nanoseconds: 8 bytes where a time.Time takes 24) and what.
type due struct {
	at       int64
	id       string
	endpoint string
}

// dueHeap is a min-heap of attempts keyed by real due time. It is typed
// rather than a container/heap.Interface: boxing each entry in an any cost
// two allocations and most of the time of a push and a pop with a million
// entries pending (BenchmarkScheduler1MPending).
type dueHeap []due

// A 4-ary heap: half the levels of a binary one, so a pop with a million
// entries pending touches half the cache lines.
const arity = 4

// push adds d, sifting it up.
func (h *dueHeap) push(d due) {
	*h = append(*h, d)
	q := *h
	for i := len(q) - 1; i > 0; {
		parent := (i - 1) / arity
		if q[i].at >= q[parent].at {
			break
		}
		q[i], q[parent] = q[parent], q[i]
		i = parent
	}
}

// pop removes and returns the earliest entry; h must not be empty.
func (h *dueHeap) pop() due {
	q := *h
	top, n := q[0], len(q)-1
	q[0] = q[n]
	q[n] = due{} // release the strings
	q = q[:n]
	for i := 0; ; {
		least := i
		for c := arity*i + 1; c <= arity*i+arity && c < n; c++ {
			if q[c].at < q[least].at {
				least = c
			}
		}
		if least == i {
			break
		}
		q[i], q[least] = q[least], q[i]
		i = least
	}
	*h = q
	return top
}

// timers holds every pending attempt of the engine. One scheduler goroutine
// drains it, so a million pending deliveries cost a million heap entries,
// not a million parked goroutines.
type timers struct {
	mu   sync.Mutex
	heap dueHeap
	wake chan struct{} // capacity 1: "the earliest entry may have changed"
}

func newTimers() *timers { return &timers{wake: make(chan struct{}, 1)} }

// push adds an attempt and wakes the scheduler, which re-arms its timer.
func (t *timers) push(d due) {
	t.mu.Lock()
	t.heap.push(d)
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// popDue removes every entry due at now and reports when the next one is.
func (t *timers) popDue(now time.Time) (ready []due, next time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.heap) > 0 && t.heap[0].at <= now.UnixNano() {
		ready = append(ready, t.heap.pop())
	}
	if len(t.heap) > 0 {
		return ready, time.Unix(0, t.heap[0].at), true
	}
	return ready, time.Time{}, false
}

// schedule is the scheduler goroutine: it hands due attempts to the pool and
// sleeps until the next one, a push, or the end of ctx.
func (e *Engine) schedule(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		ready, next, ok := e.timers.popDue(time.Now())
		for _, d := range ready {
			e.pool.submit(d)
		}
		wait := time.Hour
		if ok {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-e.timers.wake:
		case <-timer.C:
		}
	}
}

// realAt maps a delivery's schedule time to real time. The anchor is the
// delivery's creation, where both clocks agree; after it, schedule time runs
// 1/TimeScale times faster. Mapping per delivery (not per engine) keeps
// resumed deliveries consistent even when the scale changes across restarts.
func (e *Engine) realAt(r record, t time.Time) time.Time {
	return r.CreatedAt.Add(scale(t.Sub(r.CreatedAt), e.cfg.TimeScale))
}

// scheduleNow is the current schedule time of a delivery.
func (e *Engine) scheduleNow(r record) time.Time {
	return r.CreatedAt.Add(scale(time.Since(r.CreatedAt), 1/e.cfg.TimeScale))
}

// scale multiplies d by f, saturating instead of overflowing (a month-old
// outbox resumed at a tiny time scale).
func scale(d time.Duration, f float64) time.Duration {
	v := float64(d) * f
	switch {
	case v >= math.MaxInt64/2:
		return math.MaxInt64 / 2
	case v <= math.MinInt64/2:
		return math.MinInt64 / 2
	}
	return time.Duration(v)
}

// jittered varies d by a uniform ±j fraction, as x-minivoice-retry's jitter
// says, so that retries of many deliveries do not arrive in lockstep. It
// saturates like scale, so a huge offset never wraps negative.
func jittered(d time.Duration, j float64) time.Duration {
	if d <= 0 || j <= 0 {
		return d
	}
	return scale(d, 1+j*(2*rand.Float64()-1))
}

// nextAt is the schedule time of attempt slot of r.
func (e *Engine) nextAt(r record, slot int) time.Time {
	return r.origin.Add(jittered(r.schedule[slot], e.policy.Jitter))
}

// arm puts a pending, released delivery on the timer heap.
func (e *Engine) arm(r record) {
	if r.Status != StatusPending || r.NextAttemptAt.IsZero() {
		return
	}
	e.timers.push(due{at: e.realAt(r, r.NextAttemptAt).UnixNano(), id: r.ID, endpoint: endpointOf(r.URL)})
}
