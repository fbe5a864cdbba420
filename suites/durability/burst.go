package durability

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/outcome"
	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/framework"
)

// The burst of durability.crash-mid-burst: distinct events, some
// duplicates sent together with their original, some sent again after the
// restart, inFlight at a time.
const (
	burstEvents   = 50
	together      = 10
	acrossRestart = 5
	inFlight      = 10
	problemKeys   = 5
)

// burst is the running account of the check: what was sent, which keys got
// a 2xx, and when each key was first delivered after the restart.
type burst struct {
	c           *framework.Case
	sent        []string
	acked       map[string]bool
	redelivered map[string]time.Time
	// before and during count the deliveries sent before the crash and
	// in flight while it happened.
	before, during int
}

// crashMidBurst: a burst of distinct events with duplicates in flight,
// SIGKILL part-way, restart, then redeliver every event that did not get
// a 2xx, as MiniVoice would: every event MUST be recorded exactly once;
// acked-but-lost and duplicated keys are reported apart.
func crashMidBurst(ctx ginkgo.SpecContext, c *framework.Case) {
	plan, later := planBurst(c)
	b := &burst{c: c, acked: map[string]bool{}, redelivered: map[string]time.Time{}}
	c.KeepExchanges(2 * inFlight)
	half := len(plan) / 2
	for start := 0; start < half; start += inFlight {
		wave := plan[start:min(start+inFlight, half)]
		b.account(wave, c.SendAll(ctx, inFlight, wave))
	}
	mid := plan[half:min(half+inFlight, len(plan))]
	o := b.crashDuring(ctx, mid)
	// After the restart: what got no 2xx, then the rest of the burst, sent
	// again until accepted the way MiniVoice meets load shedding; then one
	// more round for what still failed (a 5xx, no answer).
	after := append(b.unacked(plan[:half+len(mid)], "redelivered after the restart: no 2xx before it"), plan[half+len(mid):]...)
	b.sendAfter(ctx, after)
	b.sendAfter(ctx, b.unacked(plan, "redelivered again: still no 2xx"))
	// Once the receiver is quiet (its outbox replayed), duplicates of
	// events acknowledged before the crash: a second record of one of
	// them now is a delivery the receiver no longer recognises.
	c.AwaitSettled(ctx, c.Config().Settle, nil)
	b.sendAfter(ctx, later)
	b.judge(ctx, o)
}

// crashDuring releases wave and kills the receiver as soon as its first
// answer is back, so the rest of the wave is in flight at the crash.
func (b *burst) crashDuring(ctx context.Context, wave []framework.Delivery) framework.Outage {
	ginkgo.GinkgoHelper()
	var xs []evidence.Exchange
	first := make(chan struct{}, len(wave))
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ginkgo.GinkgoRecover()
		xs = b.c.SendAllNotify(ctx, len(wave), wave, func() { first <- struct{}{} })
	}()
	select {
	case <-first:
	case <-time.After(2 * time.Second):
	}
	o := b.c.Restart(ctx, framework.Crash)
	<-done
	b.before, b.during = len(b.sent), len(wave)
	b.account(wave, xs)
	return o
}

// sendAfter sends ds after the restart, noting when each key was first
// delivered again: a second record after that is not at-least-once
// forwarding but a delivery the receiver failed to recognise.
func (b *burst) sendAfter(ctx context.Context, ds []framework.Delivery) {
	if len(ds) == 0 {
		return
	}
	now := time.Now()
	for _, d := range ds {
		b.sent = append(b.sent, d.Key)
		if _, ok := b.redelivered[d.Key]; !ok {
			b.redelivered[d.Key] = now
		}
	}
	acc := b.c.SendUntilAccepted(ctx, inFlight, ds)
	for k := range acc.Acked {
		if acc.Acked[k] {
			b.acked[k] = true
		}
	}
}

// unacked is every planned event without a 2xx yet, once, signed anew.
func (b *burst) unacked(plan []framework.Delivery, why string) []framework.Delivery {
	var again []framework.Delivery
	seen := map[string]bool{}
	for _, d := range plan {
		if !b.acked[d.Key] && !seen[d.Key] {
			seen[d.Key] = true
			d.Label, d.Skew = d.Label+" ("+why+")", time.Second
			again = append(again, d)
		}
	}
	return again
}

func (b *burst) account(ds []framework.Delivery, xs []evidence.Exchange) {
	for i, d := range ds {
		b.sent = append(b.sent, d.Key)
		if framework.Matches("2xx", xs[i]) {
			b.acked[d.Key] = true
		}
	}
}

// judge waits for the records and accounts for them in the outcome words;
// a key forwarded once before the crash and once after it, before it was
// delivered again, counts as once (and is noted).
func (b *burst) judge(ctx context.Context, o framework.Outage) {
	ginkgo.GinkgoHelper()
	var acked []string
	for k := range b.acked {
		acked = append(acked, k)
	}
	counts := onlySent(b.c.SettledCounts(ctx, b.c.Config().Settle, acked), b.sent)
	for k, n := range counts {
		if n == 2 && b.c.ForwardedAcross(k, o, b.redelivered[k]) {
			counts[k] = 1
		}
	}
	t := outcome.Count(b.sent, b.acked, counts)
	b.c.Notef("%d deliveries before the crash, %d in flight during it, %d after the restart: %s",
		b.before, b.during, len(b.sent)-b.before-b.during, t)
	for _, k := range t.Duplicated[:min(len(t.Duplicated), problemKeys)] {
		b.c.Notef("duplicated %s: %d records%s", k, counts[k], b.c.AcceptedAround(k, o))
	}
	if !t.OK() {
		ginkgo.Fail(strings.Join(t.Problems(problemKeys), "; "))
	}
}

// onlySent keeps the counts of this check's keys: the observer also
// counts every other check's records.
func onlySent(counts map[string]int, sent []string) map[string]int {
	out := make(map[string]int, len(sent))
	for _, k := range sent {
		out[k] = counts[k]
	}
	return out
}

// planBurst lays the burst out the same way on every run (fresh call IDs):
// burstEvents call.created of distinct calls (so no ordering rule is in
// play), every fifth followed at once by a copy (sent in the same wave),
// and, in later, copies of the first acrossRestart events, sent once the
// restarted receiver is quiet.
func planBurst(c *framework.Case) (plan, later []framework.Delivery) {
	for i := range burstEvents {
		d := c.Valid(fmt.Sprintf("event %d of the burst", i+1), event, c.CallID())
		plan = append(plan, d)
		if i%(burstEvents/together) == 1 {
			dup := d
			dup.Label += " (duplicate sent together with it)"
			plan = append(plan, dup)
		}
		if i < acrossRestart {
			dup := d
			dup.Label, dup.Skew = dup.Label+" (duplicate sent again after the restart)", 2*time.Second
			later = append(later, dup)
		}
	}
	return plan, later
}
