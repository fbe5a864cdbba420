package reporters

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/minivoice/mvh/suites/evidence"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; html/template escapes every value, so a
// receiver's answer can never inject markup into the report.
var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// htmlView is what the template renders: the Document, regrouped by area,
// with transcripts and reproductions prepared in Go where they can be tested.
type htmlView struct {
	Doc    Document
	Title  string
	Failed []Check
	Levels []levelRow
	Areas  []areaView
}

type levelRow struct {
	Level string
	Counts
}

type areaView struct {
	Name   string
	Counts Counts
	Checks []checkView
}

type checkView struct {
	Check
	Anchor    string
	Repro     string
	Exchanges []exchangeView
	Records   []evidence.Record
	Notes     []string
	Timeline  []momentView
}

// momentView is one line of a check's timeline: when, relative to the
// first moment, what, and a record's headers.
type momentView struct {
	At, Offset string
	What       string
	Headers    string
}

type exchangeView struct {
	N          int
	Label      string
	Expect     string
	Got        string
	Unexpected bool
	Started    string
	LatencyMS  int64
	Request    string
	Response   string
}

// HTML renders report.html: one self-contained page (inline CSS, no script,
// no external fetch) that works from file:// and as a CI artifact.
func HTML(doc Document) ([]byte, error) {
	v := htmlView{Doc: doc, Title: "mvh conformance report: " + strings.ToUpper(doc.Verdict), Failed: failedChecksOf(doc)}
	for _, lvl := range []string{LevelMust, LevelShould} {
		v.Levels = append(v.Levels, levelRow{Level: lvl, Counts: doc.Summary.ByLevel[lvl]})
	}
	v.Levels = append(v.Levels, levelRow{Level: "total", Counts: doc.Summary.Total})
	v.Areas = areas(doc.Checks)
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	return buf.Bytes(), nil
}

// areas groups checks by area in catalogue order (first appearance).
func areas(checks []Check) []areaView {
	var out []areaView
	index := map[string]int{}
	for _, c := range checks {
		i, ok := index[c.Area]
		if !ok {
			i = len(out)
			index[c.Area] = i
			out = append(out, areaView{Name: c.Area})
		}
		out[i].Counts = out[i].Counts.add(c.Status)
		out[i].Checks = append(out[i].Checks, viewOf(c))
	}
	return out
}

func viewOf(c Check) checkView {
	v := checkView{Check: c, Anchor: anchor(c.ID)}
	if c.Status == StatusFailed {
		v.Repro = Reproduction(c)
	}
	if c.Evidence == nil {
		return v
	}
	v.Records, v.Notes = c.Evidence.Records, c.Evidence.Notes
	v.Timeline = timelineOf(c.Evidence.Timeline)
	for i, x := range c.Evidence.Exchanges {
		v.Exchanges = append(v.Exchanges, exchangeView{
			N: i + 1, Label: x.Label, Expect: x.Expect, Got: happened(x), Unexpected: unexpected(x),
			Started: stamp(x.Started), LatencyMS: x.Latency.Milliseconds(),
			Request: requestText(x.Request), Response: responseText(x),
		})
	}
	return v
}

// timelineOf renders a check's timeline (deliveries, answers, crash,
// restart, records), each moment's offset from the first.
func timelineOf(ms []evidence.Moment) []momentView {
	var out []momentView
	for _, m := range ms {
		var hs []string
		for k, v := range m.Headers {
			hs = append(hs, k+": "+v)
		}
		sort.Strings(hs)
		out = append(out, momentView{At: stamp(m.At), Offset: fmt.Sprintf("%d ms", m.At.Sub(ms[0].At).Milliseconds()),
			What: m.What, Headers: strings.Join(hs, "\n")})
	}
	return out
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04:05.000Z")
}

// requestText is the request as on the wire, headers sorted.
func requestText(r evidence.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
	writeHeaders(&b, r.Headers)
	b.WriteString("\n" + r.Body)
	if r.Truncated {
		fmt.Fprintf(&b, "\n[… body cut: %d of %d bytes shown]", len(r.Body), r.BodySize)
	}
	return b.String()
}

func responseText(x evidence.Exchange) string {
	if x.Response == nil {
		return happened(x)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", x.Response.Status)
	writeHeaders(&b, x.Response.Headers)
	b.WriteString("\n" + x.Response.Body)
	if x.Response.Truncated {
		fmt.Fprintf(&b, "\n[… body cut at %d bytes]", evidence.BodyLimit)
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, h map[string]string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s: %s\n", k, h[k])
	}
}
