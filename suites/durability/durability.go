// Package durability holds the checks that kill and restart the receiver:
// "return a success response after the event is safely accepted" means
// the event survives the process, so an acknowledged event must be
// recorded exactly once however the receiver went down, and a redelivery
// after a restart must still be recognised.
package durability

import (
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
)

// event is what the single-delivery checks send.
const event = "call.created"

// Specs registers the durability checks.
func Specs(f *framework.Framework) {
	// durability.crash-after-ack: deliver, SIGKILL the receiver as soon as
	// its 2xx is read, restart it and redeliver nothing (MiniVoice does not
	// redeliver an acknowledged event): the record MUST arrive, exactly
	// once, within --settle.
	f.Check("durability.crash-after-ack", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		x := c.Send(ctx, c.Valid("the delivery, acknowledged just before the crash", event, id))
		c.ExpectAnswers(x)
		o := c.Restart(ctx, framework.Crash)
		c.ExpectRecordedOnceAcross(ctx, o, framework.Key(id, event))
	})

	// durability.restart-redelivery: deliver and wait for the record (and
	// a quiet window, so a correct receiver has noted its forward),
	// restart the receiver gracefully, redeliver the same event (same
	// bytes, fresh signature): there MUST still be exactly one record.
	f.Check("durability.restart-redelivery", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		first := c.Valid("first delivery, before the restart", event, id)
		c.ExpectAnswers(c.Send(ctx, first))
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
		c.Restart(ctx, framework.Graceful)
		again := first
		again.Label, again.Skew = "redelivery after the restart: same body, fresh signature", time.Second
		c.ExpectAnswers(c.Send(ctx, again))
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})

	// durability.crash-mid-burst: see burst.go.
	f.Check("durability.crash-mid-burst", crashMidBurst)
}
