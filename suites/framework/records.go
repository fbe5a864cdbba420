package framework

import (
	"context"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/observe"
)

// pollEvery is how often record counts are polled.
const pollEvery = 50 * time.Millisecond

// ExpectRecorded waits until every key has a record, for as long as
// records keep arriving (see await).
func (c *Case) ExpectRecorded(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.AwaitRecorded(ctx, c.f.Config.Settle, keys...)
}

// AwaitRecorded waits until every key has a record; it gives up when no
// new record arrived for stall (--settle for ExpectRecorded; longer when
// the check made the downstream slow on purpose).
func (c *Case) AwaitRecorded(ctx context.Context, stall time.Duration, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantAtLeastOne, keys...)
	c.expectEventually(ctx, stall, keys)
}

// ExpectRecordedOnce asserts exactly one record per key: it waits until
// each key and a marker delivered afterwards are recorded, then holds a
// quiet window (Config.Window, after the last new record) in which no key
// may get a second record.
func (c *Case) ExpectRecordedOnce(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantExactlyOne, keys...)
	marker, window := c.caughtUp(ctx)
	c.expectEventually(ctx, c.f.Config.Settle, append(marker, keys...))
	if off := c.hold(ctx, window, wantAtMostOne, keys); off != "" {
		ginkgo.Fail("duplicate business record: " + off)
	}
}

// ExpectNotRecorded asserts no key ever gets a record: it waits until a
// marker delivered afterwards is recorded (the receiver caught up), then
// holds a quiet window in which no key may appear.
func (c *Case) ExpectNotRecorded(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantNone, keys...)
	marker, window := c.caughtUp(ctx)
	if marker != nil {
		c.expectEventually(ctx, c.f.Config.Settle, marker)
	}
	if off := c.hold(ctx, window, WantNone, keys); off != "" {
		ginkgo.Fail("recorded although it must be rejected: " + off)
	}
}

// caughtUp sends a valid marker delivery after the ones under test (sent
// again if shed, like any valid delivery) and returns its key and how long
// to hold quiet afterwards: once the marker is recorded, a receiver that
// forwards in order has forwarded everything before it, so Config.Window
// suffices. When the receiver refused the marker there is no key, and the
// whole --settle is held.
func (c *Case) caughtUp(ctx context.Context) ([]string, time.Duration) {
	event := c.Events()[0]
	id := c.CallID()
	d := c.Valid("marker: a valid delivery after the others, to know the receiver caught up", event, id)
	x := c.Send(ctx, d)
	if !Matches("2xx", x) {
		c.Notef("the marker delivery got %s; holding quiet for the whole --settle instead", Answer(x))
		return nil, c.f.Config.Settle
	}
	return []string{d.Key}, c.f.Config.Window()
}

// expectEventually fails the check unless every key gets a record while
// records keep arriving.
func (c *Case) expectEventually(ctx context.Context, stall time.Duration, keys []string) {
	ginkgo.GinkgoHelper()
	p := c.await(ctx, stall, func(counts map[string]int) bool { return offKeys(counts, WantAtLeastOne, keys) == "" })
	if p.done {
		return
	}
	if p.err != nil {
		ginkgo.Fail("observer: " + p.err.Error())
	}
	ginkgo.Fail(fmt.Sprintf("no record (stopped waiting: %s): %s%s", p.why(stall), offKeys(p.counts, WantAtLeastOne, keys), c.unkeyedHint()))
}

// progress is what one wait for records saw.
type progress struct {
	counts  map[string]int
	done    bool
	stalled bool // gave up because no new record arrived for the stall window
	took    time.Duration
	err     error // the observer's last error, if its last poll failed
}

// why says how a wait that is not done ended, for a failure message.
func (p progress) why(stall time.Duration) string {
	if p.stalled {
		return fmt.Sprintf("no new record of any key for %s, after %s", stall, p.took.Round(time.Millisecond))
	}
	return fmt.Sprintf("records still arriving after %s, the --settle-max", p.took.Round(time.Millisecond))
}

// await polls the observer until done holds, judging by progress rather
// than a fixed deadline: it waits while the count of records (of any key:
// a receiver forwarding one at a time may still be working through
// earlier checks' records) still grows, gives up when no new record
// arrived within stall, and waits max(--settle-max, stall) at most. The
// evidence says how long the records took.
func (c *Case) await(ctx context.Context, stall time.Duration, done func(map[string]int) bool) progress {
	start := time.Now()
	limit := max(c.f.Config.SettleMax, stall)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var p progress
	last, lastNew := -1, start
	for {
		p.counts, p.err = c.f.Env.Observer().Counts(ctx)
		now := time.Now()
		p.took = now.Sub(start)
		if p.err == nil {
			if n := total(p.counts); n != last {
				last, lastNew = n, now
			}
			if p.done = done(p.counts); p.done {
				c.Notef("records awaited %s", p.took.Round(time.Millisecond))
				return p
			}
		}
		if p.stalled = now.Sub(lastNew) >= stall; p.stalled || p.took >= limit {
			c.Notef("stopped awaiting records after %s (last new record %s before)", p.took.Round(time.Millisecond),
				now.Sub(lastNew).Round(time.Millisecond))
			return p
		}
		select {
		case <-ctx.Done():
			return p
		case <-tick.C:
		}
	}
}

// hold polls for a quiet window after the last new record of any key (up
// to --settle-max in all) and returns the keys that missed want as soon as
// one does, or "" when none did.
func (c *Case) hold(ctx context.Context, window time.Duration, want string, keys []string) string {
	ginkgo.GinkgoHelper()
	start := time.Now()
	limit := max(c.f.Config.SettleMax, window)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	last, lastNew := -1, start
	for {
		counts, err := c.f.Env.Observer().Counts(ctx)
		now := time.Now()
		if err != nil {
			ginkgo.Fail("observer: " + err.Error())
		}
		if off := offKeys(counts, want, keys); off != "" {
			return off
		}
		if n := total(counts); n != last {
			last, lastNew = n, now
		}
		if now.Sub(lastNew) >= window || now.Sub(start) >= limit {
			return ""
		}
		select {
		case <-ctx.Done():
			return ""
		case <-tick.C:
		}
	}
}

// total is the number of records of all keys.
func total(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// unkeyedHint explains missing records: the sink refused some for lacking
// a key (the receiver forwards, but not in the shape --sink-key expects),
// or the observer saw no record at all during the run, which usually means
// the harness looks where the receiver does not write.
func (c *Case) unkeyedHint() string {
	obs := c.f.Env.Observer()
	if obs == nil {
		return ""
	}
	sink := c.f.Env.Sink()
	isSink := sink != nil && obs == observe.Observer(sink)
	if isSink && sink.Unkeyed() > 0 {
		return fmt.Sprintf(" (the sink refused %d records with nothing at --sink-key %s)", sink.Unkeyed(), c.f.Config.SinkKey)
	}
	if counts, err := obs.Counts(context.Background()); err != nil || len(counts) > 0 {
		return ""
	}
	if isSink {
		return " (" + SinkSilent + ")"
	}
	return fmt.Sprintf(" (the %s observer saw no record at all during this run: does it read where the receiver writes?)", obs.Kind())
}

// SinkSilent is the hint of a failed record check when the sink never
// received a record during the run.
const SinkSilent = "the sink received nothing at all during this run: does the receiver forward records to " +
	"{sink_url} (DOWNSTREAM_URL in a container)? If it only writes to its database, observe that with " +
	"--inspect-sql DSN --inspect-query 'SELECT ... AS key FROM ...' (or --inspect-cmd, --inspect-exec, " +
	"--inspect-url), or pass --no-sink to skip these checks"
