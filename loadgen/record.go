package loadgen

import (
	"fmt"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds from 1 µs to 10 minutes with 3
// significant figures: under 0.1 % error at any value.
const (
	lowestMicros  = 1
	highestMicros = int64(10 * time.Minute / time.Microsecond)
	sigFigs       = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(lowestMicros, highestMicros, sigFigs)
}

// recorder collects answers from every goroutine of a run.
type recorder struct {
	o Options

	mu      sync.Mutex
	started time.Time
	sending time.Duration
	hist    *hdrhistogram.Histogram
	windows map[int64]*hdrhistogram.Histogram
	last    *hdrhistogram.Histogram
	lastN   int64
	width   time.Duration
	status  map[string]int
	errors  map[string]int
	res     Result
}

func newRecorder(o Options) *recorder {
	return &recorder{o: o, hist: newHistogram(), windows: map[int64]*hdrhistogram.Histogram{},
		width:  windowWidth(o.Duration),
		status: map[string]int{}, errors: map[string]int{}}
}

// windowWidth gives a run about 100 windows of latency over time, each a
// whole number of seconds.
func windowWidth(d time.Duration) time.Duration {
	return max(time.Second, (d / 100).Round(time.Second))
}

func (r *recorder) begin(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = t
}

func (r *recorder) endSending() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sending = time.Since(r.started)
}

// note records one attempt of d, due at due.
func (r *recorder) note(d item, due time.Time, a answer, redelivery bool) {
	us := max(a.latency.Microseconds(), lowestMicros)
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.hist.RecordValue(min(us, highestMicros))
	_ = r.window(due.UnixNano() / int64(r.width)).RecordValue(min(us, highestMicros))
	r.res.Deliveries++
	if redelivery {
		r.res.Redeliveries++
	} else if d.repeat {
		r.res.Copies++
	}
	if !d.repeat && !redelivery {
		// the original's first attempt: every key once, no set needed
		r.res.Sent = append(r.res.Sent, d.key)
	}
	if a.err != nil {
		r.errors[errorClass(a.err)]++
		return
	}
	r.status[statusClass(a.status)]++
	switch {
	case a.shed:
		r.res.Shed++
	case a.status >= 500:
		r.res.Server5xx++
	case a.status/100 == 2 && (d.acked == nil || !*d.acked):
		// an event sent once is acked by one answer at most: it is not
		// sent again after a 2xx
		if d.acked != nil {
			*d.acked = true
		}
		r.res.Acked = append(r.res.Acked, d.key)
	}
}

// window is the histogram of window n; the last one is kept at hand,
// since nearly every answer falls into the current window.
func (r *recorder) window(n int64) *hdrhistogram.Histogram {
	if r.last != nil && r.lastN == n {
		return r.last
	}
	h := r.windows[n]
	if h == nil {
		h = newHistogram()
		r.windows[n] = h
	}
	r.last, r.lastN = h, n
	return h
}

// statusClass is "2xx" for 204 and so on, without formatting per answer.
func statusClass(status int) string {
	if c := status / 100; c >= 1 && c <= 5 {
		return [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[c-1]
	}
	return fmt.Sprintf("%dxx", status/100)
}

// isAcked reports whether some copy of d's event got a 2xx.
func (r *recorder) isAcked(d item) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return d.acked != nil && *d.acked
}

func (r *recorder) progress() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	failed := r.res.Server5xx
	for _, n := range r.errors {
		failed += n
	}
	return Progress{Elapsed: time.Since(r.started), Duration: r.o.Duration,
		Sent: r.res.Deliveries, Status2xx: r.status["2xx"], Failed: failed}
}

// result is the run's Result once every goroutine is done.
func (r *recorder) result() *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Kind, res.Version = ResultKind, resultVersion
	res.URL, res.Started = r.o.URL, r.started
	res.Sending, res.Elapsed = r.sending, time.Since(r.started)
	res.Rate, res.Workers, res.Duration = r.o.Rate, r.o.Workers, r.o.Duration
	res.Events, res.DupRatio, res.ConcurrentDups, res.OutOfOrder = r.o.Events, r.o.DupRatio, r.o.ConcurrentDups, r.o.OutOfOrder
	res.Status, res.Errors = r.status, r.errors
	res.hist = r.hist
	res.windows = timeline(r.windows, r.width)
	res.seal()
	return &res
}
