package input

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/framework"
)

// Shrinking is bounded: each step is a delivery, and with a record-based
// failure a settle window too.
const (
	shrinkSteps = 50
	shrinkTime  = 20 * time.Second
)

// invalidEvent is the event input.generated-invalid breaks.
const invalidEvent = "call.created"

// slowInFlight is how many generated deliveries are outstanding at once
// against a receiver that acknowledges over --ack-budget: the forms
// are judged one by one all the same, in a fraction of the time.
const slowInFlight = 8

// sendGenerated sends ds (generated or broken payloads) one at a time, or
// slowInFlight at a time when
// the run has shown that the receiver acknowledges over its budget
// (ack.latency judges that), saying so in the evidence.
func sendGenerated(ctx context.Context, c *framework.Case, ds []framework.Delivery) []evidence.Exchange {
	if median, over := c.OverBudget(); over {
		c.Notef("acknowledgements in this run took a median of %s, over --ack-budget %s: the %d deliveries of generated payloads go %d at a time",
			median.Round(time.Millisecond), c.Config().AckBudget, len(ds), slowInFlight)
		return c.SendAll(ctx, slowInFlight, ds)
	}
	xs := make([]evidence.Exchange, len(ds))
	for i, d := range ds {
		xs[i] = c.Send(ctx, d)
	}
	return xs
}

// generatedSpecs registers the checks driven by the contract's schemas.
func generatedSpecs(f *framework.Framework) {
	// input.generated: a receiver MUST answer 2xx to --cases generated,
	// validly signed deliveries of every event (and, observed, store each
	// once); a failure is shrunk to the property that causes it.
	f.Check("input.generated", func(ctx ginkgo.SpecContext, c *framework.Case) {
		cfg := c.Config()
		c.KeepExchanges(1)
		c.Notef("seed %d, %d cases per event: repeat with --seed %d --cases %d", cfg.Seed, cfg.Cases, cfg.Seed, cfg.Cases)
		var ds []framework.Delivery
		var sent []generated
		for _, event := range c.Events() {
			for i := range cfg.Cases {
				id := c.CallID()
				g, d := c.Generated(event, i, id)
				ds = append(ds, d)
				sent = append(sent, generated{g, framework.Key(id, event)})
			}
		}
		xs := sendGenerated(ctx, c, ds)
		for i, x := range xs {
			if !framework.Matches(x.Expect, x) {
				c.ExpectAnswers(shrink(ctx, c, sent[i].g, answerFails(c)), x)
			}
		}
		if !c.Observing() {
			return
		}
		keys := make([]string, len(sent))
		for i, s := range sent {
			keys[i] = s.key
		}
		counts := c.Counts(ctx, keys...)
		for _, s := range sent {
			if counts[s.key] != 1 {
				c.Notef("%s has %d records, want 1", s.key, counts[s.key])
				shrink(ctx, c, s.g, recordFails(c))
				break
			}
		}
		c.ExpectRecordedOnce(ctx, keys...)
	})

	// input.generated-invalid: a receiver SHOULD answer a payload that
	// breaks the schema in one place with 2xx or 4xx, never 5xx or a
	// dropped connection, and still answer the next valid delivery.
	f.Check("input.generated-invalid", func(ctx ginkgo.SpecContext, c *framework.Case) {
		bs, err := c.Spec().Invalid(invalidEvent, c.CallID())
		c.G().Expect(err).NotTo(gomega.HaveOccurred(), "invalid payloads")
		ds := make([]framework.Delivery, len(bs))
		for i, b := range bs {
			ds[i] = c.Valid("schema broken: "+b.Label, invalidEvent, c.CallID())
			ds[i].Body, ds[i].Expect = b.Body, "2xx|4xx"
		}
		xs := sendGenerated(ctx, c, ds)
		xs = append(xs, c.Send(ctx, c.Valid("a valid delivery after the broken ones", invalidEvent, c.CallID())))
		c.ExpectAnswers(xs...)
	})
}

// generated is one sent payload and its record key.
type generated struct {
	g   spec.Generated
	key string
}

// failsFunc says whether a shrink candidate, sent as x under key, still
// shows the failure.
type failsFunc func(ctx context.Context, x evidence.Exchange, key string) bool

// answerFails: the candidate is not answered 2xx.
func answerFails(*framework.Case) failsFunc {
	return func(_ context.Context, x evidence.Exchange, _ string) bool { return !framework.Matches("2xx", x) }
}

// recordFails: the candidate is answered 2xx but not stored exactly once.
func recordFails(c *framework.Case) failsFunc {
	return func(ctx context.Context, x evidence.Exchange, key string) bool {
		return framework.Matches("2xx", x) && c.Counts(ctx, key)[key] != 1
	}
}

// shrink moves the failing payload g towards its event's example within
// the step and time budget, sends the smallest failure found as evidence,
// and notes how it differs from the example.
func shrink(ctx context.Context, c *framework.Case, g spec.Generated, fails failsFunc) evidence.Exchange {
	sctx, cancel := context.WithTimeout(ctx, shrinkTime)
	defer cancel()
	send := func(ctx context.Context, v map[string]any, label string, probe bool) (evidence.Exchange, string) {
		id := c.CallID()
		fixed, err := spec.Fix(g.Event, v, id)
		c.G().Expect(err).NotTo(gomega.HaveOccurred())
		d := framework.Delivery{Label: label, Event: g.Event, Body: fixed.Body, Signed: delivery.SignValid, Expect: "2xx"}
		if probe {
			return c.Probe(ctx, d), framework.Key(id, g.Event)
		}
		return c.Send(ctx, d), framework.Key(id, g.Event)
	}
	res := spec.Shrink(sctx, c.Example(g.Event), g.Value, shrinkSteps, func(ctx context.Context, v map[string]any) bool {
		x, key := send(ctx, v, "shrink step", true)
		return fails(ctx, x, key)
	})
	diffs := make([]string, len(res.Differences))
	for i, d := range res.Differences {
		diffs[i] = d.String()
	}
	what := strings.Join(diffs, "; ")
	if what == "" {
		what = "none: the example itself fails"
	}
	c.Notef("shrunk in %d steps; the smallest failing %s differs from the example in: %s", res.Steps, g.Event, what)
	x, _ := send(ctx, res.Value, fmt.Sprintf("smallest failing payload (%s)", what), false)
	return x
}
