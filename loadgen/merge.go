package loadgen

import (
	"maps"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/minivoice/mvh/outcome"
)

// Merge joins the results of runs that loaded one receiver from several
// hosts, as vegeta's distributed mode does: counts add up, histograms
// merge without loss (so the merged percentiles are those of every
// latency together), timelines align on the clock, and the keys join.
// With records (the shared sink's files) the merged keys are accounted
// for against them; without, the runs' own tallies are merged.
func Merge(results []*Result, records []*Records) *Result {
	out := &Result{Kind: ResultKind, Version: resultVersion, Status: map[string]int{}, Errors: map[string]int{}, hist: newHistogram()}
	var end, sendEnd time.Time
	windows := map[int64]*hdrhistogram.Histogram{}
	width := time.Duration(0)
	for _, r := range results {
		width = max(width, r.windows0Width())
	}
	for i, r := range results {
		if i == 0 || r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		end = later(end, r.Started.Add(r.Elapsed))
		sendEnd = later(sendEnd, r.Started.Add(r.Sending))
		out.addCounts(r)
		out.hist.Merge(r.hist)
		for _, w := range r.windows {
			n := w.start.UnixNano() / int64(width)
			if windows[n] == nil {
				windows[n] = newHistogram()
			}
			windows[n].Merge(w.hist)
		}
	}
	out.Elapsed, out.Sending = end.Sub(out.Started), sendEnd.Sub(out.Started)
	out.windows = timeline(windows, max(width, time.Second))
	out.Tally = account(results, records, out)
	out.seal()
	// hosts send at once: the merged rate is the sum of theirs
	out.AchievedRate = 0
	for _, r := range results {
		out.AchievedRate += r.AchievedRate
	}
	return out
}

func (r *Result) windows0Width() time.Duration {
	if len(r.windows) == 0 {
		return time.Second
	}
	return r.windows[0].width
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// addCounts adds r's counts, settings and keys to out.
func (out *Result) addCounts(r *Result) {
	out.URL = r.URL
	if out.Hosts > 0 && (out.Rate == Max) != (r.Rate == Max) {
		out.Rate = Max // models mixed: report the closed one's wording
	} else {
		out.Rate += r.Rate
	}
	out.Workers += r.Workers
	out.Duration = max(out.Duration, r.Duration)
	out.Hosts += max(r.Hosts, 1)
	out.DupRatio, out.ConcurrentDups, out.OutOfOrder = r.DupRatio, r.ConcurrentDups, r.OutOfOrder
	for _, ev := range r.Events {
		if !slices.Contains(out.Events, ev) {
			out.Events = append(out.Events, ev)
		}
	}
	out.Deliveries += r.Deliveries
	out.Copies += r.Copies
	out.Redeliveries += r.Redeliveries
	out.Shed += r.Shed
	out.Server5xx += r.Server5xx
	for k, n := range r.Status {
		out.Status[k] += n
	}
	for k, n := range r.Errors {
		out.Errors[k] += n
	}
	out.Sent = append(out.Sent, r.Sent...)
	out.Acked = append(out.Acked, r.Acked...)
}

// account is the merged tally: against the sinks' records when given,
// else the runs' own tallies merged (nil when any run had none).
func account(results []*Result, records []*Records, out *Result) *outcome.Tally {
	if len(records) > 0 {
		counts := map[string]int{}
		for _, rec := range records {
			for k, n := range rec.Records {
				counts[k] += n
			}
		}
		acked := make(map[string]bool, len(out.Acked))
		for _, k := range out.Acked {
			acked[k] = true
		}
		t := outcome.Count(out.Sent, acked, counts)
		return &t
	}
	var t outcome.Tally
	for _, r := range results {
		if r.Tally == nil {
			return nil
		}
		t = t.Merge(*r.Tally)
	}
	return &t
}

// Records is a sink's records per key, as `mvh sink --output` writes
// them for `mvh load merge`.
type Records struct {
	Kind    string         `json:"kind"`
	Key     string         `json:"key"`
	Records map[string]int `json:"records"`
	// Unkeyed counts records without a key at Key.
	Unkeyed int `json:"unkeyed"`
}

// RecordsKind marks a sink records file.
const RecordsKind = "mvh-sink-records"

// Total is the number of records.
func (r *Records) Total() int {
	n := 0
	for c := range maps.Values(r.Records) {
		n += c
	}
	return n
}
