// Package redelivery sends many deliveries and meets backpressure the way
// MiniVoice does: an answer that sheds load (429, or 503 with Retry-After)
// is not a verdict but a "later", so the delivery is sent again (same
// bytes, freshly signed by the caller) on the contract's retry offsets
// compressed to fit the caller's time limit, honouring Retry-After up to a
// bound of a few seconds, until a 2xx or the limit. Acceptance is per
// event: once any copy of a key got a 2xx, the key is accepted and no
// shed copy of it is sent again.
//
// While a receiver sheds, fewer attempts are kept in flight (one fewer
// per shed answer, one more per window of 2xx answers), so retries
// converge instead of re-creating the overload they were refused for.
// load.burst in suites/load and `mvh load` share this engine; the
// accounting of what it returns is package outcome.
package redelivery

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/minivoice/mvh/outcome"
)

// Answer is what one attempt got.
type Answer struct {
	// Status is the HTTP status code; 0 when there was no answer.
	Status int
	// RetryAfter is the answer's Retry-After header, if any.
	RetryAfter string
}

// OK reports a 2xx.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }

// Shed reports an answer that sheds load.
func (a Answer) Shed() bool { return Shed(a.Status, a.RetryAfter) }

// Sender makes one attempt (0 for the first) of delivery i and returns
// its answer. Every attempt of i must carry the same bytes, signed anew.
type Sender func(ctx context.Context, i, attempt int) Answer

// Result is what a Run did; slices are indexed like the keys given.
type Result struct {
	// Sent holds the key of every delivery attempted at least once, in
	// order: copies of one event repeat it, as outcome.Count expects.
	Sent []string
	// Acked holds the keys of which some copy got a 2xx.
	Acked map[string]bool
	// Last is each delivery's last answer; Attempts how often it was sent.
	Last     []Answer
	Attempts []int
	// Answers counts every attempt's status code (0: no answer).
	Answers map[int]int
	// Shed counts shed answers; Retries the attempts after the first.
	Shed, Retries int
	// Dropped counts shed copies not sent again because their event was
	// accepted meanwhile; GaveUp those whose retries ran out.
	Dropped, GaveUp int
	// LowestInFlight is the fewest attempts the sender kept in flight
	// while easing off; the policy's InFlight when nothing was shed.
	LowestInFlight int
	// Took is how long the run took.
	Took time.Duration
}

// Tally accounts for the run against the receiver's records per key.
func (r Result) Tally(records map[string]int) outcome.Tally {
	return outcome.Count(r.Sent, r.Acked, records)
}

// Run sends the deliveries keyed by keys (one entry per delivery; copies
// of one event share its key) in order, at most p.InFlight at a time,
// retrying shed answers as the policy says. It returns when every
// delivery has a final answer, its retries ran out, or ctx ended.
func Run(ctx context.Context, p Policy, keys []string, send Sender) Result {
	r := &run{p: p, keys: keys, send: send, window: float64(max(p.InFlight, 1)),
		rng:  rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(len(keys)))),
		wake: make(chan struct{}, 1),
		res: Result{Acked: map[string]bool{}, Last: make([]Answer, len(keys)), Attempts: make([]int, len(keys)),
			Answers: map[int]int{}, LowestInFlight: max(p.InFlight, 1)}}
	r.deadline, r.hasDeadline = ctx.Deadline()
	start := time.Now()
	r.loop(ctx)
	r.res.Took = time.Since(start)
	return r.res
}

// run is the state of one Run: a dispatcher (the caller's goroutine)
// starts attempts, first attempts in order and due retries first, while
// the window allows; each attempt's goroutine books its answer.
type run struct {
	p           Policy
	keys        []string
	send        Sender
	rng         *rand.Rand
	deadline    time.Time
	hasDeadline bool
	wake        chan struct{}

	mu       sync.Mutex
	res      Result
	window   float64
	inFlight int
	next     int // the next delivery to attempt for the first time
	due      retries
}

func (r *run) loop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		i, attempt, wait, finished := r.pick(time.Now(), ctx.Err() != nil)
		switch {
		case finished:
			return
		case i >= 0:
			wg.Go(func() { r.attempt(ctx, i, attempt) })
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-r.wake:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
	}
}

// idle is how long pick waits when only a finishing attempt can change
// anything; a finishing attempt wakes it earlier.
const idle = time.Second

// pick chooses the next attempt to start (i >= 0), or how long to wait,
// or reports that nothing is left. Once stopped, nothing new starts.
func (r *run) pick(now time.Time, stopped bool) (i, attempt int, wait time.Duration, finished bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if stopped {
		r.res.GaveUp += r.due.Len()
		r.due = nil
		r.next = len(r.keys)
		return -1, 0, idle, r.inFlight == 0
	}
	if r.inFlight >= int(r.window) {
		return -1, 0, idle, false
	}
	for r.due.Len() > 0 && !r.due.peek().at.After(now) {
		d := r.due.pop()
		if r.res.Acked[r.keys[d.i]] {
			r.res.Dropped++
			continue
		}
		r.inFlight++
		r.res.Retries++
		return d.i, r.res.Attempts[d.i], 0, false
	}
	if r.next < len(r.keys) {
		i = r.next
		r.next++
		r.inFlight++
		r.res.Sent = append(r.res.Sent, r.keys[i])
		return i, 0, 0, false
	}
	if r.due.Len() > 0 {
		return -1, 0, r.due.peek().at.Sub(now), false
	}
	return -1, 0, idle, r.inFlight == 0
}

// attempt sends one attempt and books its answer: a 2xx accepts the key
// and widens the window; a shed answer narrows it and, unless the key was
// accepted meanwhile, schedules the next attempt.
func (r *run) attempt(ctx context.Context, i, attempt int) {
	a := r.send(ctx, i, attempt)
	now := time.Now()
	r.mu.Lock()
	r.res.Last[i] = a
	r.res.Attempts[i]++
	r.res.Answers[a.Status]++
	key := r.keys[i]
	switch {
	case a.OK():
		r.res.Acked[key] = true
		r.window = min(r.window+1/r.window, float64(max(r.p.InFlight, 1)))
	case a.Shed():
		r.res.Shed++
		r.window = max(r.window-1, 1)
		r.res.LowestInFlight = min(r.res.LowestInFlight, int(r.window))
		r.reschedule(i, a, now)
	}
	r.inFlight--
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// reschedule queues the next attempt of a shed delivery, or drops it when
// its event is accepted already or its retries ran out. Called locked.
func (r *run) reschedule(i int, a Answer, now time.Time) {
	if r.res.Acked[r.keys[i]] {
		r.res.Dropped++
		return
	}
	n := r.res.Attempts[i]
	at := now.Add(r.p.Wait(n, a.RetryAfter, now, r.rng))
	if !r.p.retriesLeft(n, at, r.deadline, r.hasDeadline) {
		r.res.GaveUp++
		return
	}
	r.due.push(retry{at: at, i: i})
}
