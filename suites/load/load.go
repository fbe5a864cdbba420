// Package load holds the burst check: the retry storm after an outage,
// duplicates and overlapping copies included, must leave every distinct
// event recorded exactly once and draw no 5xx. A receiver may shed load
// (429, or 503 with Retry-After): shed deliveries are sent again as
// MiniVoice would, and only the outcome per event is judged.
package load

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
)

// inFlight is how many deliveries of the burst are outstanding at once.
const inFlight = 20

// slowBurst is the burst's size against a receiver that acknowledges
// over --ack-budget: five waves, duplicates and overlap included.
const slowBurst = 100

// events are the two distinct events each call of the burst gets.
var events = []string{"call.created", "call.completed"}

// Specs registers load.burst.
func Specs(f *framework.Framework) {
	// load.burst: a burst of --burst deliveries (20 % duplicates, half of
	// them sent together with their original, 20 in flight; shed ones sent
	// again until accepted) SHOULD get no 5xx other than shedding and
	// SHOULD record every distinct event exactly once.
	f.Check("load.burst", func(ctx ginkgo.SpecContext, c *framework.Case) {
		n := c.Config().Burst
		if median, over := c.OverBudget(); over && n > slowBurst {
			c.Notef("acknowledgements in this run took a median of %s, over --ack-budget %s: the burst sends %d deliveries instead of %d (ack.latency judges latency; duplicates and overlap are the same at %d)",
				median.Round(time.Millisecond), c.Config().AckBudget, slowBurst, n, slowBurst)
			n = slowBurst
		}
		plan, keys := planBurst(c, n)
		c.KeepExchanges(inFlight)
		acc := c.SendUntilAccepted(ctx, inFlight, plan)
		answers(c, acc, len(keys))
		if bad := acc.Failed(); len(bad) > 0 {
			ginkgo.Fail(fmt.Sprintf("%d of %d deliveries of the burst got a 5xx that does not shed load, or no answer (first: %s got %s)",
				len(bad), len(plan), bad[0].Label, framework.Answer(bad[0])))
		}
		c.ExpectOutcome(ctx, acc)
	})
}

// planBurst lays out n deliveries in waves of inFlight: the distinct
// events (every call's call.created, then every call's call.completed, so
// no call's events race each other: ordering has checks of its own), half
// of the duplicates right after their original (so both are released in
// the same wave), the other half redelivered a second later at the end.
// The layout is the same on every run; the call IDs are fresh.
func planBurst(c *framework.Case, n int) ([]framework.Delivery, []string) {
	dups := n / 5
	distinct := make([]framework.Delivery, 0, n-dups)
	keys := make([]string, 0, n-dups)
	ids := make([]string, (n-dups+len(events)-1)/len(events))
	for i := range ids {
		ids[i] = c.CallID()
	}
	for _, event := range events {
		for _, id := range ids {
			if len(distinct) < n-dups {
				distinct = append(distinct, c.Valid(fmt.Sprintf("event %d: %s", len(distinct)+1, event), event, id))
				keys = append(keys, framework.Key(id, event))
			}
		}
	}
	rng := rand.New(rand.NewPCG(500, 20))
	picked := rng.Perm(len(distinct))[:dups]
	together := map[int]bool{}
	for _, j := range picked[:dups/2] {
		together[j] = true
	}
	plan := make([]framework.Delivery, 0, n)
	for i, d := range distinct {
		plan = append(plan, d)
		if together[i] {
			plan = append(plan, copyOf(d, "duplicate sent together with it", 0))
		}
	}
	for _, j := range picked[dups/2:] {
		plan = append(plan, copyOf(distinct[j], "redelivered later", time.Second))
	}
	return plan, keys
}

func copyOf(d framework.Delivery, how string, skew time.Duration) framework.Delivery {
	d.Label += " (" + how + ")"
	d.Skew = skew
	return d
}

// answers notes every attempt's answer of the burst by class.
func answers(c *framework.Case, acc framework.Accepted, distinct int) {
	classes := map[string]int{}
	attempts := 0
	for status, n := range acc.Answers {
		class := "no answer"
		if status != 0 {
			class = fmt.Sprintf("%dxx", status/100)
		}
		classes[class] += n
		attempts += n
	}
	c.Notef("%d deliveries (%d distinct events, %d duplicates), %d attempts: %d 2xx, %d 4xx (%d of them 429), %d 5xx, %d without answer",
		len(acc.Sent), distinct, len(acc.Sent)-distinct, attempts, classes["2xx"], classes["4xx"], acc.Answers[429],
		classes["5xx"], classes["no answer"])
}
