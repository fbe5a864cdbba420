package signature

import (
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/suites/framework"
)

// edgeMargin is how far inside or outside the contract's tolerance the edge
// checks sign: far enough that clocks a few seconds apart cannot flip the
// verdict.
const edgeMargin = 100 * time.Second

// edgeSpecs registers the checks on the edges of the contract's tolerance
// and on signatures cut short: the numbers and parsing a hand-written
// verifier gets wrong.
func edgeSpecs(f *framework.Framework) {
	// signature.clock-skew: a receiver MUST answer 2xx to valid signatures
	// over timestamps the tolerance minus 100 s in the past and the future:
	// MiniVoice's clock and the receiver's are never equal.
	f.Check("signature.clock-skew", func(ctx ginkgo.SpecContext, c *framework.Case) {
		inside := c.Tolerance() - edgeMargin
		if inside <= 0 {
			inside = c.Tolerance() / 2
		}
		c.ExpectAnswers(
			c.Send(ctx, skewed(c, accept(c, "", delivery.SignSkewPast), inside)),
			c.Send(ctx, skewed(c, accept(c, "", delivery.SignSkewFuture), inside)))
	})

	// signature.outside-tolerance: a receiver MUST answer 4xx to valid
	// signatures over timestamps the tolerance plus 100 s away, either way.
	f.Check("signature.outside-tolerance", func(ctx ginkgo.SpecContext, c *framework.Case) {
		outside := c.Tolerance() + edgeMargin
		c.ExpectAnswers(
			c.Send(ctx, skewed(c, reject(c, "", delivery.SignStale, c.CallID()), outside)),
			c.Send(ctx, skewed(c, reject(c, "", delivery.SignFuture, c.CallID()), outside)))
	})

	// signature.truncated: a receiver MUST answer 4xx to a v1 entry that is
	// empty or a prefix of the valid digest: a prefix compare accepts both.
	f.Check("signature.truncated", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAnswers(
			c.Send(ctx, reject(c, "v1= with no digest", delivery.SignEmpty, c.CallID())),
			c.Send(ctx, reject(c, "v1=<first half of the valid digest>", delivery.SignTruncated, c.CallID())))
	})
}

// skewed signs d's timestamp skew away and labels it with how far, against
// the tolerance.
func skewed(c *framework.Case, d framework.Delivery, skew time.Duration) framework.Delivery {
	way := "old"
	if d.Signed == delivery.SignFuture || d.Signed == delivery.SignSkewFuture {
		way = "ahead"
	}
	d.TimestampSkew = skew
	d.Label = fmt.Sprintf("valid signature, timestamp %s %s (tolerance %s)", skew, way, c.Tolerance())
	return d
}
