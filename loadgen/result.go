package loadgen

import (
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/minivoice/mvh/outcome"
)

// ResultKind marks a load result file, as written by --output.
const ResultKind = "mvh-load-result"

const resultVersion = 1

// Result is one load run (or several merged): what was sent, what came
// back and how fast, and the keys sent and acknowledged so the records of
// a shared sink can be accounted for later. It is the --output file.
type Result struct {
	Kind    string    `json:"kind"`
	Version int       `json:"version"`
	URL     string    `json:"url,omitempty"`
	Started time.Time `json:"started"`
	// Sending is how long deliveries were started for; Elapsed includes
	// the last answers and redeliveries.
	Sending time.Duration `json:"sending_ns"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Hosts counts the runs merged into this one (1 for one run).
	Hosts int `json:"hosts"`

	// What was asked for. Rate 0 is --rate max.
	Rate           int           `json:"rate"`
	Workers        int           `json:"workers"`
	Duration       time.Duration `json:"duration_ns"`
	Events         []string      `json:"events"`
	DupRatio       float64       `json:"dup_ratio"`
	ConcurrentDups bool          `json:"concurrent_dups"`
	OutOfOrder     bool          `json:"out_of_order"`

	// Deliveries counts every request: originals, Copies (the planned
	// duplicates) and Redeliveries (of shed deliveries).
	Deliveries   int `json:"deliveries"`
	Copies       int `json:"copies"`
	Redeliveries int `json:"redeliveries"`
	// Shed counts 429s and 503s with Retry-After; Server5xx the other
	// 5xx answers, which fail a run.
	Shed      int            `json:"shed"`
	Server5xx int            `json:"server_5xx"`
	Status    map[string]int `json:"status"`
	Errors    map[string]int `json:"errors"`
	// AchievedRate is deliveries per second while sending.
	AchievedRate float64 `json:"achieved_rate"`
	Latency      Latency `json:"latency"`
	// Histogram is the HDR histogram of latencies in µs (V2 compressed
	// encoding, base64), for merging without losing precision.
	Histogram string   `json:"histogram"`
	Timeline  []Window `json:"timeline"`

	// Sent and Acked are distinct keys, in the order first sent / acked.
	Sent  []string `json:"sent"`
	Acked []string `json:"acked"`
	// Tally is the accounting against the receiver's records; nil without
	// observation.
	Tally *outcome.Tally `json:"tally,omitempty"`

	hist    *hdrhistogram.Histogram
	windows []window
}

// Latency summarises a histogram.
type Latency struct {
	Count int64         `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p999_ns"`
	Max   time.Duration `json:"max_ns"`
}

// Window is the latency of the deliveries due within one stretch of time.
type Window struct {
	Start     time.Time     `json:"start"`
	Width     time.Duration `json:"width_ns"`
	Latency   Latency       `json:"latency"`
	Histogram string        `json:"histogram"`
}

type window struct {
	start time.Time
	width time.Duration
	hist  *hdrhistogram.Histogram
}

func summary(h *hdrhistogram.Histogram) Latency {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return Latency{Count: h.TotalCount(), Mean: time.Duration(h.Mean() * float64(time.Microsecond)),
		P50: us(h.ValueAtQuantile(50)), P90: us(h.ValueAtQuantile(90)), P99: us(h.ValueAtQuantile(99)),
		P999: us(h.ValueAtQuantile(99.9)), Max: us(h.Max())}
}

// timeline orders the windows of a run.
func timeline(m map[int64]*hdrhistogram.Histogram, width time.Duration) []window {
	out := make([]window, 0, len(m))
	for n, h := range m {
		out = append(out, window{start: time.Unix(0, n*int64(width)), width: width, hist: h})
	}
	slices.SortFunc(out, func(a, b window) int { return a.start.Compare(b.start) })
	return out
}

// seal fills the exported summaries from the histograms.
func (r *Result) seal() {
	r.Hosts = max(r.Hosts, 1)
	if r.Sending > 0 {
		r.AchievedRate = float64(r.Deliveries) / r.Sending.Seconds()
	}
	r.Latency, r.Histogram = summary(r.hist), encode(r.hist)
	r.Timeline = r.Timeline[:0]
	for _, w := range r.windows {
		r.Timeline = append(r.Timeline, Window{Start: w.start, Width: w.width, Latency: summary(w.hist), Histogram: encode(w.hist)})
	}
}

// Latencies returns the run's latency histogram, for charts and merges.
func (r *Result) Latencies() *hdrhistogram.Histogram { return r.hist }

// Failed reports whether the run fails: something acked was lost or
// duplicated, an event was never accepted or an unexpected record
// appeared, or a 5xx came back that was not shedding.
func (r *Result) Failed() bool {
	return r.Server5xx > 0 || r.Tally != nil && !r.Tally.OK()
}

func encode(h *hdrhistogram.Histogram) string {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decode(s string) (*hdrhistogram.Histogram, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return hdrhistogram.Decode(b)
}

// restore rebuilds the histograms of a Result read from a file.
func (r *Result) restore() error {
	h, err := decode(r.Histogram)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	r.hist, r.windows = h, nil
	for i, w := range r.Timeline {
		wh, err := decode(w.Histogram)
		if err != nil {
			return fmt.Errorf("timeline window %d: %w", i, err)
		}
		r.windows = append(r.windows, window{start: w.Start, width: w.Width, hist: wh})
	}
	return nil
}
