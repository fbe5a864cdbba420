package loadgen

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

//go:embed page.html.tmpl
var pageTemplate string

// Chart geometry of the page's SVGs, in user units.
const (
	chartW, chartH = 720.0, 260.0
	padL, padB     = 60.0, 30.0
)

// quantiles are the points of the distribution chart: the HdrHistogram
// percentile plot, x on a log scale of 1/(1-q).
var quantiles = [...]float64{0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100}

// WriteHTML writes one self-contained page of r: latency over time and the
// latency distribution as inline SVG, and the accounting table. Nothing is
// fetched: no script, no style sheet, no font.
func (r *Result) WriteHTML(w io.Writer) error {
	t, err := template.New("load").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("page template: %w", err)
	}
	return t.Execute(w, r.page())
}

type page struct {
	R                   *Result
	Model, Sending      string
	Over, Dist          chart
	Latencies           []row
	Answers, Accounting []row
	Problems            []string
	Verdict             string
}

type row struct{ Name, Value string }

type chart struct {
	Lines         []line
	XTicks        []tick
	YTicks        []tick
	XLabel        string
	Empty         bool
	Width, Height float64
}

type line struct {
	Name, Class, Points string
}

type tick struct {
	Pos   float64
	Label string
}

func (r *Result) page() page {
	p := page{R: r, Model: fmt.Sprintf("open model, %d deliveries/s", r.Rate), Verdict: "pass",
		Sending: r.Sending.Round(time.Millisecond).String()}
	if r.Rate == Max {
		p.Model = fmt.Sprintf("closed model, %d workers", r.Workers)
	}
	if r.Failed() {
		p.Verdict = "fail"
	}
	l := r.Latency
	p.Latencies = []row{{"p50", ms(l.P50)}, {"p90", ms(l.P90)}, {"p99", ms(l.P99)}, {"p99.9", ms(l.P999)}, {"max", ms(l.Max)}, {"mean", ms(l.Mean)}}
	p.Answers = []row{{"deliveries", fmt.Sprint(r.Deliveries)}, {"copies", fmt.Sprint(r.Copies)},
		{"redeliveries", fmt.Sprint(r.Redeliveries)}, {"achieved rate", fmt.Sprintf("%.1f/s", r.AchievedRate)},
		{"answers", classes(r.Status)}, {"shed (429, 503 Retry-After)", fmt.Sprint(r.Shed)},
		{"5xx without shedding", fmt.Sprint(r.Server5xx)}, {"errors", classes(r.Errors)}}
	if t := r.Tally; t != nil {
		p.Accounting = []row{{"sent", fmt.Sprint(t.Sent)}, {"acked", fmt.Sprint(t.Acked)},
			{"recorded exactly once", fmt.Sprint(t.RecordedOnce)}, {"lost", fmt.Sprint(len(t.Lost))},
			{"duplicated", fmt.Sprint(len(t.Duplicated))}, {"never accepted", fmt.Sprint(len(t.NeverAccepted))},
			{"unexpected", fmt.Sprint(len(t.Unexpected))}}
		p.Problems = t.Problems(problemKeys)
	}
	p.Over, p.Dist = r.overTime(), r.distribution()
	return p
}

// overTime charts p50, p99 and max per window against seconds from start.
func (r *Result) overTime() chart {
	c := chart{XLabel: "seconds since start", Width: chartW, Height: chartH}
	if len(r.Timeline) == 0 {
		c.Empty = true
		return c
	}
	t0 := r.Timeline[0].Start
	span := r.Timeline[len(r.Timeline)-1].Start.Add(r.Timeline[len(r.Timeline)-1].Width).Sub(t0).Seconds()
	top := 0.0
	for _, w := range r.Timeline {
		top = math.Max(top, msf(w.Latency.Max))
	}
	top = niceTop(top)
	x := func(s float64) float64 { return padL + s/span*(chartW-padL-10) }
	y := func(v float64) float64 { return chartH - padB - v/top*(chartH-padB-10) }
	for _, s := range []struct {
		name, class string
		pick        func(Latency) time.Duration
	}{{"max", "max", func(l Latency) time.Duration { return l.Max }},
		{"p99", "p99", func(l Latency) time.Duration { return l.P99 }},
		{"p50", "p50", func(l Latency) time.Duration { return l.P50 }}} {
		var pts []string
		for _, w := range r.Timeline {
			mid := w.Start.Sub(t0).Seconds() + w.Width.Seconds()/2
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(mid), y(msf(s.pick(w.Latency)))))
		}
		c.Lines = append(c.Lines, line{Name: s.name, Class: s.class, Points: strings.Join(pts, " ")})
	}
	for i := 0; i <= 4; i++ {
		c.XTicks = append(c.XTicks, tick{x(span * float64(i) / 4), fmt.Sprintf("%.3g", span*float64(i)/4)})
		c.YTicks = append(c.YTicks, tick{y(top * float64(i) / 4), fmt.Sprintf("%.3g ms", top*float64(i)/4)})
	}
	return c
}

// distribution charts latency against percentile, on the log scale
// HdrHistogram's plots use, so the tail is as readable as the median.
func (r *Result) distribution() chart {
	c := chart{XLabel: "percentile", Width: chartW, Height: chartH}
	if r.hist == nil || r.hist.TotalCount() == 0 {
		c.Empty = true
		return c
	}
	pos := func(q float64) float64 { return math.Log10(1 / (1 - math.Min(q, 99.99)/100)) } // 0 .. 4
	x := func(q float64) float64 { return padL + pos(q)/4*(chartW-padL-10) }
	top := niceTop(float64(r.hist.Max()) / 1000)
	y := func(v float64) float64 { return chartH - padB - v/top*(chartH-padB-10) }
	var pts []string
	for _, q := range quantiles {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(q), y(float64(r.hist.ValueAtQuantile(q))/1000)))
	}
	c.Lines = []line{{Name: "latency", Class: "p99", Points: strings.Join(pts, " ")}}
	for _, q := range []float64{0, 90, 99, 99.9, 99.99} {
		c.XTicks = append(c.XTicks, tick{x(q), fmt.Sprintf("%g%%", q)})
	}
	for i := 0; i <= 4; i++ {
		c.YTicks = append(c.YTicks, tick{y(top * float64(i) / 4), fmt.Sprintf("%.3g ms", top*float64(i)/4)})
	}
	return c
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// niceTop rounds v up to 1, 2 or 5 times a power of ten.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
