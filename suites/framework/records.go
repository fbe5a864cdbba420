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
	marker := c.marker(ctx)
	window := c.f.Config.Window()
	if marker == nil {
		window = c.f.Config.Settle
	}
	c.eventually(ctx, c.f.Config.Settle, append(marker, keys...))
	c.consistently(ctx, window, wantAtMostOne, keys, "duplicate business record: %s")
}

// ExpectNotRecorded asserts no key ever gets a record: it waits until a
// marker delivered afterwards is recorded (the receiver caught up), then
// watches a window in which no key may appear.
func (c *Case) ExpectNotRecorded(ctx context.Context, keys ...string) {
	ginkgo.GinkgoHelper()
	c.watchKeys(WantNone, keys...)
	marker := c.marker(ctx)
	window := c.f.Config.Window()
	if marker == nil {
		window = c.f.Config.Settle
	} else {
		c.eventually(ctx, c.f.Config.Settle, marker)
	}
	c.consistently(ctx, window, WantNone, keys, "recorded although it must be rejected: %s")
}

// marker sends a valid delivery after the ones under test and returns its
// key; once it is recorded, a receiver that forwards in order has
// forwarded everything before it. Nil when the receiver refused it.
func (c *Case) marker(ctx context.Context) []string {
	event := c.Events()[0]
	id := c.CallID()
	x := c.Send(ctx, c.Valid("marker: a valid delivery after the others, to know the receiver caught up", event, id))
	if !Matches("2xx", x) {
		c.Notef("the marker delivery got %s; watching for the whole --settle instead", Answer(x))
		return nil
	}
	return []string{Key(id, event)}
}

// eventually polls until every key has at least one record.
func (c *Case) eventually(ctx context.Context, within time.Duration, keys []string) {
	ginkgo.GinkgoHelper()
	var last map[string]int
	var lastErr error
	reason := func() string {
		if lastErr != nil {
			return "observer: " + lastErr.Error()
		}
		return fmt.Sprintf("no record within %s: %s", within, offKeys(last, WantAtLeastOne, keys))
	}
	failFirst(reason).Eventually(ctx, func(g gomega.Gomega) {
		last, lastErr = c.f.Env.Observer.Counts(ctx)
		g.Expect(lastErr).NotTo(gomega.HaveOccurred())
		g.Expect(offKeys(last, WantAtLeastOne, keys)).To(gomega.BeEmpty())
	}).WithTimeout(within).WithPolling(pollEvery).Should(gomega.Succeed())
}

// consistently polls for window, failing as soon as a key misses want.
func (c *Case) consistently(ctx context.Context, window time.Duration, want string, keys []string, format string) {
	ginkgo.GinkgoHelper()
	var last map[string]int
	var lastErr error
	reason := func() string {
		if lastErr != nil {
			return "observer: " + lastErr.Error()
		}
		return fmt.Sprintf(format, offKeys(last, want, keys))
	}
	failFirst(reason).Consistently(ctx, func(g gomega.Gomega) {
		last, lastErr = c.f.Env.Observer.Counts(ctx)
		g.Expect(lastErr).NotTo(gomega.HaveOccurred())
		g.Expect(offKeys(last, want, keys)).To(gomega.BeEmpty())
	}).WithTimeout(window).WithPolling(pollEvery).Should(gomega.Succeed())
}

// failFirst is a Gomega whose failure messages start with reason(): the
// first line of a failed check says what went wrong, Gomega's timing and
// matcher detail follow.
func failFirst(reason func() string) gomega.Gomega {
	return gomega.NewGomega(func(message string, skip ...int) {
		offset := 1
		if len(skip) > 0 {
			offset += skip[0]
		}
		ginkgo.Fail(reason()+"\n"+message, offset)
	})
}
