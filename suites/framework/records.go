package framework

import (
	"context"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// pollEvery is how often record counts are polled.
const pollEvery = 50 * time.Millisecond

// ExpectRecorded waits up to --settle until every key has a record.
func (c *Case) ExpectRecorded(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.AwaitRecorded(ctx, c.f.Config.Settle, keys...)
}

// AwaitRecorded waits up to within until every key has a record.
func (c *Case) AwaitRecorded(ctx context.Context, within time.Duration, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantAtLeastOne, keys...)
	c.eventually(ctx, within, keys)
}

// ExpectRecordedOnce asserts exactly one record per key: it waits until
// each key and a marker delivered afterwards are recorded, then watches a
// window (Config.Window) in which no key may get a second record.
func (c *Case) ExpectRecordedOnce(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantExactlyOne, keys...)
	marker, window := c.caughtUp(ctx)
	c.eventually(ctx, c.f.Config.Settle, append(marker, keys...))
	c.consistently(ctx, window, wantAtMostOne, keys, "duplicate business record: %s")
}

// ExpectNotRecorded asserts no key ever gets a record: it waits until a
// marker delivered afterwards is recorded (the receiver caught up), then
// watches a window in which no key may appear.
func (c *Case) ExpectNotRecorded(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantNone, keys...)
	marker, window := c.caughtUp(ctx)
	if marker != nil {
		c.eventually(ctx, c.f.Config.Settle, marker)
	}
	c.consistently(ctx, window, WantNone, keys, "recorded although it must be rejected: %s")
}

// caughtUp sends a valid marker delivery after the ones under test and
// returns its key and how long to watch for late records afterwards: once
// the marker is recorded, a receiver that forwards in order has forwarded
// everything before it, so Config.Window suffices. When the receiver
// refused the marker there is no key, and the whole --settle is watched.
func (c *Case) caughtUp(ctx context.Context) ([]string, time.Duration) {
	event := c.Events()[0]
	id := c.CallID()
	x := c.Send(ctx, c.Valid("marker: a valid delivery after the others, to know the receiver caught up", event, id))
	if !Matches("2xx", x) {
		c.Notef("the marker delivery got %s; watching for the whole --settle instead", Answer(x))
		return nil, c.f.Config.Settle
	}
	return []string{Key(id, event)}, c.f.Config.Window()
}

// eventually polls until every key has at least one record.
func (c *Case) eventually(ctx context.Context, within time.Duration, keys []string) {
	ginkgo.GinkgoHelper()
	poll, reason := c.poller(ctx, WantAtLeastOne, keys, func(off string) string {
		return fmt.Sprintf("no record within %s: %s%s", within, off, c.unkeyedHint())
	})
	reason.Eventually(ctx, poll).WithTimeout(within).WithPolling(pollEvery).Should(gomega.Succeed())
}

// consistently polls for window, failing as soon as a key misses want;
// format explains the keys that missed it.
func (c *Case) consistently(ctx context.Context, window time.Duration, want string, keys []string, format string) {
	ginkgo.GinkgoHelper()
	poll, reason := c.poller(ctx, want, keys, func(off string) string { return fmt.Sprintf(format, off) })
	reason.Consistently(ctx, poll).WithTimeout(window).WithPolling(pollEvery).Should(gomega.Succeed())
}

// poller returns the function Eventually and Consistently poll, which
// fails while a key misses want, and a Gomega whose failure messages start
// with what the last poll saw: describe of the keys that are off, or the
// observer's error. The first line of a failed check says what went
// wrong; Gomega's timing and matcher detail follow.
func (c *Case) poller(ctx context.Context, want string, keys []string, describe func(off string) string) (func(gomega.Gomega), gomega.Gomega) {
	var last map[string]int
	var lastErr error
	poll := func(g gomega.Gomega) {
		last, lastErr = c.f.Env.Observer.Counts(ctx)
		g.Expect(lastErr).NotTo(gomega.HaveOccurred())
		g.Expect(offKeys(last, want, keys)).To(gomega.BeEmpty())
	}
	reason := func() string {
		if lastErr != nil {
			return "observer: " + lastErr.Error()
		}
		return describe(offKeys(last, want, keys))
	}
	return poll, gomega.NewGomega(func(message string, skip ...int) {
		offset := 1
		if len(skip) > 0 {
			offset += skip[0]
		}
		ginkgo.Fail(reason()+"\n"+message, offset)
	})
}

// unkeyedHint explains missing records the sink refused for lacking a key:
// the receiver forwards records, but not with the shape --sink-key expects.
func (c *Case) unkeyedHint() string {
	if c.f.Env.Sink == nil {
		return ""
	}
	if n := c.f.Env.Sink.Unkeyed(); n > 0 {
		return fmt.Sprintf(" (the sink refused %d records with nothing at --sink-key %s)", n, c.f.Config.SinkKey)
	}
	return ""
}
