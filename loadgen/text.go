package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// problemKeys is how many keys each outcome line of the text report names.
const problemKeys = 10

// WriteText prints r for a person: what was sent and how fast, answers by
// class, latency percentiles, and the accounting with the lost and
// duplicated keys named.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	model := fmt.Sprintf("open model, %d/s", r.Rate)
	if r.Rate == Max {
		model = fmt.Sprintf("closed model, %d workers", r.Workers)
	}
	if r.Hosts > 1 {
		model += fmt.Sprintf(", %d hosts merged", r.Hosts)
	}
	fmt.Fprintf(&b, "load: %s for %s: %d deliveries (%d copies, %d redeliveries), achieved %.1f/s\n",
		model, r.Sending.Round(time.Millisecond), r.Deliveries, r.Copies, r.Redeliveries, r.AchievedRate)
	fmt.Fprintf(&b, "answers: %s", classes(r.Status))
	if r.Shed > 0 {
		fmt.Fprintf(&b, "; %d shed (429/503 Retry-After), redelivered", r.Shed)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "; errors: %s", classes(r.Errors))
	}
	b.WriteString("\n")
	l := r.Latency
	fmt.Fprintf(&b, "latency: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s (from each delivery's intended send time)\n",
		ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max))
	if r.Server5xx > 0 {
		fmt.Fprintf(&b, "FAIL: %d answers were 5xx without shedding\n", r.Server5xx)
	}
	if r.Tally == nil {
		fmt.Fprintf(&b, "accounting: %d sent, %d acked; records not observed (give the receiver {sink_url}, or --sink-addr, or --inspect-url)\n",
			len(r.Sent), len(r.Acked))
	} else {
		fmt.Fprintf(&b, "accounting: %s\n", r.Tally)
		for _, p := range r.Tally.Problems(problemKeys) {
			fmt.Fprintf(&b, "FAIL: %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func classes(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// ms prints a latency in milliseconds with three significant digits.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
}
