// Package downstream holds the checks on the receiver's downstream work
// ("process slower CRM work after the response"): a downstream that
// refuses, resets or hangs, or is down for a while, must not cost a
// business record, and a refused attempt is never a record.
package downstream

import (
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/sink"
)

// event is what the downstream checks deliver.
const event = "call.created"

// outage is how long downstream.outage keeps the sink down.
const outage = time.Second

// refusals are the first answers of downstream.flaky's records, two of
// each kind.
var refusals = []sink.Refusal{sink.Refuse503, sink.RefuseReset, sink.RefuseHold,
	sink.Refuse503, sink.RefuseReset, sink.RefuseHold}

// Specs registers the downstream checks; they need the harness sink,
// whose answers they control.
func Specs(f *framework.Framework) {
	// downstream.flaky: the sink refuses the first attempt at each record
	// (503, reset connection, or held open unanswered and then closed):
	// every record MUST still arrive, exactly once by key.
	f.Check("downstream.flaky", func(ctx ginkgo.SpecContext, c *framework.Case) {
		s := needSink(c)
		keys := make([]string, len(refusals))
		ds := make([]framework.Delivery, len(refusals))
		for i, how := range refusals {
			id := c.CallID()
			keys[i] = framework.Key(id, event)
			s.RefuseFirst(keys[i], how)
			c.Mark("sink will refuse the first attempt at %s: %s", keys[i], how)
			ds[i] = c.Valid(fmt.Sprintf("event %d, whose first forward is %s", i+1, how), event, id)
		}
		c.ExpectAnswers(c.SendAll(ctx, len(ds), ds)...)
		c.AwaitRecorded(ctx, c.Config().Settle+sink.HoldFor, keys...)
		c.ExpectRecordedOnce(ctx, keys...)
	})

	// downstream.outage: the sink is down (connection refused) while
	// deliveries are acked, then comes back: every record SHOULD arrive
	// after the recovery.
	f.Check("downstream.outage", func(ctx ginkgo.SpecContext, c *framework.Case) {
		s := needSink(c)
		ginkgo.DeferCleanup(s.Up) // whatever happens, the next checks get their sink back
		c.Mark("sink down: connection refused for %s", outage)
		if err := s.Down(ctx); err != nil {
			ginkgo.Fail(err.Error())
		}
		var keys []string
		var ds []framework.Delivery
		for i := range 4 {
			id := c.CallID()
			keys = append(keys, framework.Key(id, event))
			ds = append(ds, c.Valid(fmt.Sprintf("event %d, acked while the sink is down", i+1), event, id))
		}
		c.ExpectAnswers(c.SendAll(ctx, len(ds), ds)...)
		select {
		case <-time.After(outage):
		case <-ctx.Done():
		}
		if err := s.Up(ctx); err != nil {
			ginkgo.Fail(err.Error())
		}
		c.Mark("sink up again")
		c.AwaitRecorded(ctx, c.Config().Settle+outage, keys...)
		c.ExpectRecordedOnce(ctx, keys...)
	})
}

// needSink returns the harness sink, or skips the check: only the sink
// can refuse a record or go down.
func needSink(c *framework.Case) *sink.Sink {
	ginkgo.GinkgoHelper()
	s := c.Env().Sink()
	if s == nil {
		ginkgo.Skip("needs the harness sink as the receiver's downstream ({sink_url}, or --sink-addr)")
	}
	return s
}
