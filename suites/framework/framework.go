// Package framework is what a conformance check is written with, in the
// spirit of Kubernetes' e2e framework: Check registers a catalogue check,
// Case signs and sends Deliveries exactly like the mock sender, records
// every exchange as evidence, and waits for records with Gomega; Env is
// the narrow view of the harness a check gets (URL, client, secret,
// observer, restart) and Config the knobs it reads. Checks live in
// per-area packages; framework knows none of them, and links no
// container runtime and no database driver (package harness does).
package framework

import (
	"fmt"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/catalogue"
)

// Framework is handed to every area's Specs function while the spec tree is
// registered; the closures it registers capture it, which is how a run's
// configuration reaches the checks without any global state.
type Framework struct {
	Config Config
	Spec   *spec.Spec
	Cat    catalogue.Catalogue
	// Env is the running harness; nil when specs are only listed (a
	// dry run), in which case no check body ever runs.
	Env Env

	g          gomega.Gomega
	registered map[string]int
	acks       *ackTimes

	mu     sync.Mutex
	failed map[string]bool // the checks that failed so far in this run
}

// New returns a framework for one registration of the spec tree.
func New(cfg Config, s *spec.Spec, cat catalogue.Catalogue, env Env) *Framework {
	return &Framework{
		Config: cfg, Spec: s, Cat: cat, Env: env,
		g:          gomega.NewGomega(ginkgo.Fail),
		registered: map[string]int{},
		acks:       &ackTimes{},
		failed:     map[string]bool{},
	}
}

// Ended notes how a check ended, so that later checks that assume it are
// skipped when it failed (catalogue.Check.Assumption); the suite registers
// it as a ginkgo.ReportAfterEach.
func (f *Framework) Ended(sr types.SpecReport) {
	if catalogue.IsCheck(sr) && catalogue.StatusOf(sr) == catalogue.Failed {
		f.mu.Lock()
		f.failed[sr.LeafNodeText] = true
		f.mu.Unlock()
	}
}

// hasFailed reports whether check id failed earlier in this run.
func (f *Framework) hasFailed(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed[id]
}

// Registered returns how many specs each check ID got; the agreement test
// compares it with the catalogue.
func (f *Framework) Registered() map[string]int {
	out := make(map[string]int, len(f.registered))
	for k, v := range f.registered {
		out[k] = v
	}
	return out
}

// Check registers the spec of one catalogue check: its text is the ID, its
// labels and time limit come from the catalogue. An ID missing from the
// catalogue still registers (so the agreement test can name it) but fails.
// The spec's location is the caller's line (ginkgo.Offset), so reports and
// timeouts point at the check, not at this function.
func (f *Framework) Check(id string, body func(ctx ginkgo.SpecContext, c *Case)) bool {
	f.registered[id]++
	ch, ok := f.Cat.Check(id)
	if !ok {
		return ginkgo.It(id, ginkgo.Offset(1), ginkgo.Label(id), func() {
			ginkgo.Fail(fmt.Sprintf("check %s is not in the catalogue", id))
		})
	}
	return ginkgo.It(id, ginkgo.Offset(1), ginkgo.Label(ch.Labels()...), ginkgo.SpecTimeout(f.timeout(ch)), func(ctx ginkgo.SpecContext) {
		c := newCase(f, ch)
		ginkgo.DeferCleanup(c.attach)
		if ch.Observation && f.Env.Observer() == nil {
			f.unobserved()
		}
		if why := noRestart(f.Env); ch.Restart && why != "" {
			ginkgo.Skip("needs a receiver the harness can restart: " + why)
		}
		if why := ch.Assumption(f.hasFailed); why != "" {
			ginkgo.Skip(why)
		}
		body(ctx, c)
	})
}

// noRestart says why env's receiver cannot be restarted, "" when it can
// (or env cannot tell, in which case Case.Restart skips instead): an Env
// may implement NoRestart() string so that checks that restart skip
// before they deliver anything.
func noRestart(env Env) string {
	if r, ok := env.(interface{ NoRestart() string }); ok {
		return r.NoRestart()
	}
	return ""
}

// timeout bounds one check: every wait it may do (records are awaited
// for up to --settle-max while they still arrive, and a check waits for
// records and then holds a quiet window, each up to --settle-max), plus a
// minute of slack for requests. load.burst gets extra time per delivery
// and the retry window of its shed deliveries.
func (f *Framework) timeout(ch catalogue.Check) time.Duration {
	d := f.slack() + 3*f.Config.Settle + f.Config.SlowDownstream + 2*f.Config.SettleMax
	if ch.Area == "load" {
		d += time.Duration(f.Config.Burst)*100*time.Millisecond + retryWindow(f.Config.Burst)
	}
	return d
}

// noObservation says how to give a check the observation it needs.
const noObservation = "needs observation: see the receiver's records through {sink_url} (--cmd) or --sink-addr, " +
	"or read where it keeps them with --inspect-sql, --inspect-cmd, --inspect-exec or --inspect-url"

// unobserved skips a check that needs observation when there is none, or
// fails it under --require-observation: a CI gate must not pass a run
// that could not look.
func (f *Framework) unobserved() {
	ginkgo.GinkgoHelper()
	if f.Config.Require {
		ginkgo.Fail(fmt.Sprintf("%v (--require-observation): %s", ErrNoObservation, noObservation))
	}
	ginkgo.Skip(fmt.Sprintf("%v: %s", ErrNoObservation, noObservation))
}
