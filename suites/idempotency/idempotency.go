// Package idempotency holds the checks on at-least-once delivery: a
// redelivered, overlapping or lost-ack event is acknowledged and stored
// once, and distinct events of one call stay distinct.
package idempotency

import (
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
)

// copies is how many identical deliveries the concurrent checks send.
const copies = 10

// event is the event the idempotency checks deliver.
const event = "call.created"

// Specs registers the idempotency checks.
func Specs(f *framework.Framework) {
	// idempotency.redelivery-ack: a receiver MUST answer 2xx, not 409, to a
	// redelivery (same body, fresh signature).
	f.Check("idempotency.redelivery-ack", func(ctx ginkgo.SpecContext, c *framework.Case) {
		first, again := redelivery(c, c.CallID())
		c.ExpectAnswers(c.Send(ctx, first), c.Send(ctx, again))
	})

	// idempotency.concurrent-ack: a receiver MUST answer 2xx to each of 10
	// identical deliveries sent in parallel; a copy it sheds (429, or 503
	// with Retry-After) is sent again until the event is accepted.
	f.Check("idempotency.concurrent-ack", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAccepted(c.SendUntilAccepted(ctx, copies, parallel(c, c.CallID())))
	})

	// idempotency.redelivery: a redelivery MUST NOT create a second
	// business record.
	f.Check("idempotency.redelivery", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		first, again := redelivery(c, id)
		c.Send(ctx, first)
		c.Send(ctx, again)
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})

	// idempotency.concurrent: 10 identical deliveries in parallel MUST
	// create exactly one business record.
	f.Check("idempotency.concurrent", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		c.SendAll(ctx, copies, parallel(c, id))
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})

	// idempotency.lost-ack: a delivery whose answer the sender never read,
	// then redelivered, MUST create exactly one business record.
	f.Check("idempotency.lost-ack", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		first, again := redelivery(c, id)
		first.Label, first.Expect = "first delivery, connection dropped before the answer was read", ""
		c.SendLostAck(ctx, first)
		c.Send(ctx, again)
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})

	// idempotency.distinct-events: call.created and call.completed of one
	// call MUST be two records; the key is (call ID, event), not call ID.
	f.Check("idempotency.distinct-events", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		created := c.Send(ctx, c.Valid("call.created", "call.created", id))
		completed := c.Send(ctx, c.Valid("call.completed of the same call", "call.completed", id))
		c.ExpectAnswers(created, completed)
		c.ExpectRecordedOnce(ctx, framework.Key(id, "call.created"), framework.Key(id, "call.completed"))
	})

	laterSpecs(f)
}

// redelivery returns a delivery and its redelivery: the same body signed
// again a second later, as a retry would be.
func redelivery(c *framework.Case, id string) (framework.Delivery, framework.Delivery) {
	first := c.Valid("first delivery", event, id)
	again := first
	again.Label, again.Skew = "redelivery: same body, fresh signature", time.Second
	return first, again
}

// parallel returns copies identical deliveries.
func parallel(c *framework.Case, id string) []framework.Delivery {
	d := c.Valid("", event, id)
	out := make([]framework.Delivery, copies)
	for i := range out {
		out[i] = d
		out[i].Label = fmt.Sprintf("copy %d of %d, in parallel", i+1, copies)
	}
	return out
}
