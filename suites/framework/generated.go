package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/onsi/gomega"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/evidence"
)

// Generated is the i-th generated payload of event for the run's --seed,
// keyed by callID, as a validly signed delivery that wants 2xx.
func (c *Case) Generated(event string, i int, callID string) (spec.Generated, Delivery) {
	g, err := c.f.Spec.Generate(event, c.f.Config.Seed, i, callID)
	c.f.g.Expect(err).NotTo(gomega.HaveOccurred(), "generate %s", event)
	label := fmt.Sprintf("%s, generated case %d of seed %d", event, i, c.f.Config.Seed)
	return g, Delivery{Label: label, Event: event, Body: g.Body, Signed: delivery.SignValid, Expect: "2xx"}
}

// Example is the decoded example of event, what shrinking moves towards.
func (c *Case) Example(event string) map[string]any {
	e, err := c.f.Spec.Event(event)
	c.f.g.Expect(err).NotTo(gomega.HaveOccurred(), "example of %s", event)
	var v map[string]any
	c.f.g.Expect(json.Unmarshal(e.Example, &v)).To(gomega.Succeed(), "example of %s", event)
	return v
}

// Probe sends d like Send but keeps no evidence: a shrink step, whose
// outcome only steers the search.
func (c *Case) Probe(ctx context.Context, d Delivery) evidence.Exchange { return c.post(ctx, d) }

// Observing reports whether the run sees the receiver's records.
func (c *Case) Observing() bool { return c.f.Env != nil && c.f.Env.Observer() != nil }

// Counts polls the receiver's records until every key has at least one or
// --settle passes, and returns the counts of keys then; it asserts nothing,
// for checks that decide themselves what a count means.
func (c *Case) Counts(ctx context.Context, keys ...string) map[string]int {
	deadline := time.Now().Add(c.f.Config.Settle)
	for {
		counts, err := c.f.Env.Observer().Counts(ctx)
		done := err == nil
		for _, k := range keys {
			done = done && counts[k] > 0
		}
		if done || time.Now().After(deadline) || ctx.Err() != nil {
			return counts
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
}

// Spec is the contract the run checks against.
func (c *Case) Spec() *spec.Spec { return c.f.Spec }
