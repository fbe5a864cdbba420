// Package ordering holds the checks on events that arrive out of order, as
// retries make them: both are acknowledged and both are kept.
package ordering

import (
	"context"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/framework"
)

// Specs registers the ordering checks.
func Specs(f *framework.Framework) {
	// ordering.out-of-order-ack: a receiver MUST answer 2xx to call.completed
	// delivered before call.created of the same call, and to call.created
	// after it.
	f.Check("ordering.out-of-order-ack", func(ctx ginkgo.SpecContext, c *framework.Case) {
		_, xs := completedFirst(ctx, c)
		c.ExpectAnswers(xs...)
	})

	// ordering.out-of-order: both events delivered out of order MUST be
	// recorded.
	f.Check("ordering.out-of-order", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id, _ := completedFirst(ctx, c)
		c.ExpectRecorded(ctx, framework.Key(id, "call.completed"), framework.Key(id, "call.created"))
	})
}

// completedFirst delivers call.completed, then call.created, of a fresh call.
func completedFirst(ctx context.Context, c *framework.Case) (string, []evidence.Exchange) {
	id := c.CallID()
	return id, []evidence.Exchange{
		c.Send(ctx, c.Valid("call.completed first", "call.completed", id)),
		c.Send(ctx, c.Valid("call.created after it", "call.created", id)),
	}
}
