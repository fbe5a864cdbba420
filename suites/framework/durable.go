package framework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// WantOnceAcrossCrash is the want of keys that a crash check watches: one
// record, or two when the second was forwarded again across the crash.
const WantOnceAcrossCrash = "exactly 1 (2 when forwarded again across a crash)"

// ExpectRecordedOnceAcross asserts exactly one record per key after the
// receiver crashed (o), with the one duplicate at-least-once forwarding
// legitimately makes: a record the sink accepted before the crash and once
// more after it, before the harness delivered the key again (the receiver
// forwarded it, then died before noting that it had). That duplicate is
// noted; any other fails the check.
func (c *Case) ExpectRecordedOnceAcross(ctx context.Context, o Outage, keys ...string) {
	ginkgo.GinkgoHelper()
	counts := c.SettledCounts(ctx, c.f.Config.Settle, keys)
	var missing, dup []string
	for _, k := range keys {
		switch n := counts[k]; {
		case n == 0:
			missing = append(missing, k)
		case n > 1 && !c.ForwardedAcross(k, o, time.Time{}):
			dup = append(dup, fmt.Sprintf("%s has %d%s", k, n, c.AcceptedAround(k, o)))
		}
	}
	if len(missing) > 0 {
		ginkgo.Fail(fmt.Sprintf("no record within %s of the restart: %s", c.f.Config.Settle, strings.Join(missing, ", ")))
	}
	if len(dup) > 0 {
		ginkgo.Fail("duplicate business record: " + strings.Join(dup, ", "))
	}
}

// SettledCounts waits until every key and a marker delivered now are
// recorded (by progress, like ExpectRecordedOnce, giving up after stall
// without a new record), then holds the quiet window for late records, and
// returns the counts it saw last. It fails the check only when the
// observer itself fails; missing keys are the caller's verdict. The keys'
// final counts go into the evidence with WantOnceAcrossCrash.
func (c *Case) SettledCounts(ctx context.Context, stall time.Duration, keys []string) map[string]int {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantOnceAcrossCrash, keys...)
	return c.AwaitSettled(ctx, stall, keys)
}

// AwaitSettled is SettledCounts without putting the keys into the
// evidence: a check waits with it until the receiver is quiet (its
// outbox replayed after a restart) before it sends what comes next.
func (c *Case) AwaitSettled(ctx context.Context, stall time.Duration, keys []string) map[string]int {
	ginkgo.GinkgoHelper()
	marker, window := c.caughtUp(ctx)
	all := append(marker, keys...)
	p := c.await(ctx, stall, func(counts map[string]int) bool { return offKeys(counts, WantAtLeastOne, all) == "" })
	if p.done {
		_ = c.hold(ctx, window, "", keys)
	}
	counts, err := c.f.Env.Observer().Counts(ctx)
	if err != nil {
		ginkgo.Fail("observer: " + err.Error())
	}
	return counts
}

// ForwardedAcross reports whether key's records are the legitimate
// at-least-once pair around outage o: exactly two accepted by the sink,
// the first by the old process (before the restart was done), the second
// by the new one (after the kill began) and before redelivered (the
// harness's first delivery of key after the restart; zero when it sent
// none). It is false without the harness sink, whose attempt times are
// the only evidence of when a record arrived.
func (c *Case) ForwardedAcross(key string, o Outage, redelivered time.Time) bool {
	at := c.accepted(key)
	ok := len(at) == 2 && at[0].Before(o.Up) && at[1].After(o.Down) &&
		(redelivered.IsZero() || at[1].Before(redelivered))
	if ok {
		c.Notef("%s was recorded twice: the sink accepted it %s before the crash and again %s after it; at-least-once forwarding across a crash is legitimate (the downstream dedupes on the record's key)",
			key, o.Down.Sub(at[0]).Round(time.Millisecond), at[1].Sub(o.Down).Round(time.Millisecond))
	}
	return ok
}

// accepted returns when the sink accepted each record of key.
func (c *Case) accepted(key string) []time.Time {
	if c.f.Env == nil || c.f.Env.Sink() == nil {
		return nil
	}
	var at []time.Time
	for _, a := range c.f.Env.Sink().Attempts(key) {
		if a.Accepted {
			at = append(at, a.At)
		}
	}
	return at
}

// AcceptedAround says when the sink accepted key's records relative to the
// crash, for a failure message; "" without the harness sink.
func (c *Case) AcceptedAround(key string, o Outage) string {
	at := c.accepted(key)
	if len(at) == 0 {
		return ""
	}
	parts := make([]string, len(at))
	for i, t := range at {
		parts[i] = fmt.Sprintf("%+dms", t.Sub(o.Down).Milliseconds())
	}
	return " (accepted by the sink at " + strings.Join(parts, ", ") + " from the crash)"
}
