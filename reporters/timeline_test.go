package reporters

import (
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/evidence"
)

// TestHTMLTimeline: a crash check's timeline reaches report.html in order,
// with offsets from its first moment and each record's headers.
func TestHTMLTimeline(t *testing.T) {
	t0 := time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC)
	ev := &evidence.Evidence{CheckID: "durability.crash-after-ack", Timeline: []evidence.Moment{
		{At: t0, What: "delivery: the delivery"},
		{At: t0.Add(3 * time.Millisecond), What: "crash: receiver killed (SIGKILL / docker kill)"},
		{At: t0.Add(120 * time.Millisecond), What: "sink: record call_1:call.created accepted (200)",
			Headers: map[string]string{"Idempotency-Key": "call_1:call.created"}},
	}}
	doc := Document{Verdict: "pass", Checks: []Check{{ID: ev.CheckID, Area: "durability", Status: StatusPassed, Evidence: ev}}}
	out, err := HTML(doc)
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	crash, record := strings.Index(html, ">3 ms<"), strings.Index(html, ">120 ms<")
	if crash < 0 || record < crash || !strings.Contains(html, "crash: receiver killed") ||
		!strings.Contains(html, "Idempotency-Key: call_1:call.created") || !strings.Contains(html, "timeline: 3 moments") {
		t.Errorf("report.html lacks the timeline in order:\n%s", html)
	}
}
