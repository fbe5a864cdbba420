// Package ack holds the checks on how a receiver acknowledges valid
// deliveries: always, quickly, and without waiting for slow downstream work.
package ack

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/framework"
)

// samples is how many deliveries ack.latency times.
const samples = 20

// Specs registers the ack checks.
func Specs(f *framework.Framework) {
	// ack.valid-delivery: a receiver MUST answer 2xx to a validly signed
	// delivery of every event of the catalogue. Each event gets its own
	// call, so the order of events is not what this check judges.
	f.Check("ack.valid-delivery", func(ctx ginkgo.SpecContext, c *framework.Case) {
		var xs []evidence.Exchange
		for _, event := range c.Events() {
			xs = append(xs, c.Send(ctx, c.Valid("valid "+event, event, c.CallID())))
		}
		c.ExpectAnswers(xs...)
	})

	// ack.latency: the p95 time to 2xx of valid deliveries SHOULD be within
	// --ack-budget. A delivery that is not acknowledged never reaches 2xx
	// and counts as over budget.
	f.Check("ack.latency", func(ctx ginkgo.SpecContext, c *framework.Case) {
		latency(ctx, c)
	})

	// ack.slow-downstream: with a downstream taking --slow-downstream per
	// record, a valid delivery SHOULD still be acknowledged within
	// --ack-budget and its record SHOULD still arrive.
	f.Check("ack.slow-downstream", func(ctx ginkgo.SpecContext, c *framework.Case) {
		slowDownstream(ctx, c)
	})
}

// latency times up to samples valid deliveries, one at a time. It stops as
// soon as enough are over budget that the p95 of all samples would be.
func latency(ctx ginkgo.SpecContext, c *framework.Case) {
	budget := c.Config().AckBudget
	allowed := samples - int(math.Ceil(0.95*samples)) // samples over budget a p95 tolerates
	events := c.Events()
	var times []time.Duration
	over := 0
	for i := 0; i < samples && over <= allowed; i++ {
		event := events[i%len(events)]
		x := c.Send(ctx, c.Valid(fmt.Sprintf("sample %d: valid %s", i+1, event), event, c.CallID()))
		t := x.Latency
		if !framework.Matches("2xx", x) {
			t = time.Duration(math.MaxInt64)
		}
		if t > budget {
			over++
		}
		times = append(times, t)
	}
	p95 := percentile(times, 0.95)
	c.Notef("p95 time to 2xx over %d samples: %s (budget %s)", len(times), show(p95), budget)
	if p95 > budget {
		ginkgo.Fail(fmt.Sprintf("p95 time to 2xx is %s, over the %s budget (%d of %d samples over)",
			show(p95), budget, over, len(times)))
	}
}

// percentile is the nearest-rank percentile of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func show(d time.Duration) string {
	if d == time.Duration(math.MaxInt64) {
		return "never (not acknowledged)"
	}
	return d.Round(time.Millisecond).String()
}

// slowDownstream makes the sink slow for this check's record only, waits
// for the record first (so no slow forward is left for later checks), then
// judges the acknowledgement time.
func slowDownstream(ctx ginkgo.SpecContext, c *framework.Case) {
	sink := c.Env().Sink()
	if sink == nil {
		ginkgo.Skip("needs the harness sink: only a downstream the harness runs can be made slow")
	}
	cfg := c.Config()
	event, id := c.Events()[0], c.CallID()
	key := framework.Key(id, event)
	sink.Slow(key, cfg.SlowDownstream)
	ginkgo.DeferCleanup(sink.Slow, key, time.Duration(0))
	c.Notef("the sink takes %s to answer each record of this check", cfg.SlowDownstream)
	x := c.Send(ctx, c.Valid("valid "+event+" with a slow downstream", event, id))
	c.ExpectAnswers(x)
	c.AwaitRecorded(ctx, cfg.SlowDownstream+cfg.Settle, key)
	if x.Latency > cfg.AckBudget {
		ginkgo.Fail(fmt.Sprintf("acknowledged after %s, over the %s budget, with a downstream taking %s: do slow work after the response",
			show(x.Latency), cfg.AckBudget, cfg.SlowDownstream))
	}
}
