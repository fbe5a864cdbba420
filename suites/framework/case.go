package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/evidence"
)

// Case is one running check: it builds and sends deliveries, keeps the
// evidence, and attaches it to the spec report when the check ends,
// whatever the outcome. It is safe for concurrent use by the check's
// goroutines.
type Case struct {
	Check catalogue.Check
	f     *Framework

	mu       sync.Mutex
	ev       evidence.Evidence
	watched  []watch
	keep     int // exchanges kept in full; 0 keeps all
	omitted  int
	recorded int
}

// watch is a set of keys whose final record counts go into the evidence.
type watch struct {
	want string
	keys []string
}

func newCase(f *Framework, ch catalogue.Check) *Case {
	return &Case{Check: ch, f: f, ev: evidence.Evidence{CheckID: ch.ID}}
}

// Config is the run's configuration.
func (c *Case) Config() Config { return c.f.Config }

// G is the Gomega bound to Ginkgo's Fail for this run.
func (c *Case) G() gomega.Gomega { return c.f.g }

// Env is what the check reaches of the harness.
func (c *Case) Env() Env { return c.f.Env }

// CallID returns a call ID no other check (and no earlier run against a
// long-lived receiver) has used, so checks stay independent.
func (c *Case) CallID() string { return "call_mvh_" + randomHex(8) }

// Events are the catalogue's event names, sorted.
func (c *Case) Events() []string { return c.f.Spec.EventNames() }

// Key is the record key of one event of one call.
func Key(callID, event string) string { return spec.EventKey(callID, event) }

// Payload builds the body of event for callID, created now; it fails the
// check on error, which can only be a broken contract.
func (c *Case) Payload(event, callID string) []byte {
	body, err := c.f.Spec.Payload(event, spec.PayloadOptions{CallID: callID, CreatedAt: time.Now()})
	c.f.g.Expect(err).NotTo(gomega.HaveOccurred(), "payload of %s", event)
	return body
}

// Notef adds a line of explanation to the evidence.
func (c *Case) Notef(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ev.Notes = append(c.ev.Notes, fmt.Sprintf(format, args...))
}

// KeepExchanges keeps only the first n exchanges in full, then only the
// unexpected ones, so a burst of hundreds stays readable in a report.
func (c *Case) KeepExchanges(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep = n
}

// record adds x to the evidence; an ordinary one (answered as expected,
// or shed and sent again) is left out once KeepExchanges is exceeded.
func (c *Case) record(x evidence.Exchange, ordinary bool) {
	if x.Response != nil && x.Response.Status/100 == 2 {
		c.f.acks.add(x.Latency)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recorded++
	if c.keep > 0 && c.recorded > c.keep && ordinary {
		c.omitted++
		return
	}
	c.ev.Exchanges = append(c.ev.Exchanges, x)
}

func (c *Case) watchKeys(want string, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watched = append(c.watched, watch{want: want, keys: keys})
}

// attach runs as the check's cleanup: it adds the final record counts of
// the watched keys and hands the evidence to the report.
func (c *Case) attach() {
	c.addRecords()
	c.mu.Lock()
	var keys []string
	for _, w := range c.watched {
		keys = append(keys, w.keys...)
	}
	ev := c.ev
	ev.Timeline = c.timeline(keys)
	if c.omitted > 0 {
		ev.Notes = append(ev.Notes, fmt.Sprintf("%d more exchanges answered as expected (or shed and sent again) are not listed", c.omitted))
	}
	c.mu.Unlock()
	ginkgo.AddReportEntry(evidence.EntryName, ev, ginkgo.ReportEntryVisibilityNever)
}

// recordLimit bounds the keys listed in evidence; beyond it only keys
// whose count is off are listed.
const recordLimit = 20

func (c *Case) addRecords() {
	c.mu.Lock()
	watched := c.watched
	c.mu.Unlock()
	if len(watched) == 0 || c.f.Env == nil || c.f.Env.Observer() == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.f.Env.Observer().Counts(ctx)
	if err != nil {
		c.Notef("final record counts unavailable: %v", err)
		return
	}
	var recs []evidence.Record
	for _, w := range watched {
		for _, k := range w.keys {
			recs = append(recs, evidence.Record{Key: k, Count: counts[k], Want: w.want})
		}
	}
	if len(recs) > recordLimit {
		recs = offRecords(recs)
	}
	c.mu.Lock()
	c.ev.Records = append(c.ev.Records, recs...)
	c.mu.Unlock()
}

// offRecords keeps the records whose count does not meet their want.
func offRecords(recs []evidence.Record) []evidence.Record {
	var out []evidence.Record
	for _, r := range recs {
		if !meets(r.Count, r.Want) {
			out = append(out, r)
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
