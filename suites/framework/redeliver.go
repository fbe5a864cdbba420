package framework

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/outcome"
	"github.com/minivoice/mvh/redelivery"
	"github.com/minivoice/mvh/suites/evidence"
)

// RetryWindow and RetryPerDelivery say how long a check keeps sending
// shed deliveries again: 30 s, plus 50 ms per delivery so that a burst of
// any size fits a receiver that accepts 20 deliveries a second (a rate
// limit is backpressure too). The contract's retry schedule is compressed
// into that window; Framework.timeout leaves room for it.
const (
	RetryWindow      = 30 * time.Second
	RetryPerDelivery = 50 * time.Millisecond
)

// retryWindow is the window for n deliveries.
func retryWindow(n int) time.Duration { return RetryWindow + time.Duration(n)*RetryPerDelivery }

// problemKeys bounds the keys each outcome line of a failure names.
const problemKeys = 10

// Accepted is what SendUntilAccepted did: the engine's result (acceptance
// per event, shed answers, retries) and each delivery's last exchange.
type Accepted struct {
	redelivery.Result
	Final []evidence.Exchange
}

// SendUntilAccepted delivers ds, inFlight at a time, the way MiniVoice
// meets backpressure: a delivery answered 429, or 503 with Retry-After, is
// sent again (same bytes, freshly signed) on the contract's retry offsets
// compressed into retryWindow, honouring Retry-After up to a few seconds,
// until its event is accepted (any copy got a 2xx) or the window ends.
// Every attempt is evidence; a note says how much was shed and retried.
func (c *Case) SendUntilAccepted(ctx context.Context, inFlight int, ds []Delivery) Accepted {
	window := retryWindow(len(ds))
	acc := c.sendUntilAccepted(ctx, inFlight, ds, window)
	events := len(slices.Collect(maps.Keys(keySet(acc.Sent))))
	c.Notef("%d deliveries of %d distinct events, up to %d in flight, took %s: %d answers shed load, %d retries, %d shed copies not sent again (their event was accepted), %d gave up after %s; fewest in flight %d",
		len(acc.Sent), events, inFlight, acc.Took.Round(time.Millisecond), acc.Shed, acc.Retries, acc.Dropped,
		acc.GaveUp, window, acc.LowestInFlight)
	return acc
}

func (c *Case) sendUntilAccepted(ctx context.Context, inFlight int, ds []Delivery, window time.Duration) Accepted {
	policy := redelivery.Compress(c.f.Spec.Retry(), window, inFlight)
	policy.Until = time.Now().Add(window)
	keys := make([]string, len(ds))
	for i, d := range ds {
		keys[i] = d.Key
		if keys[i] == "" {
			keys[i] = fmt.Sprintf("delivery %d (%s)", i+1, d.Label)
		}
	}
	final := make([]evidence.Exchange, len(ds))
	res := redelivery.Run(ctx, policy, keys, func(ctx context.Context, i, attempt int) redelivery.Answer {
		d := ds[i]
		if attempt > 0 {
			d.Label = fmt.Sprintf("%s (attempt %d, after %s)", d.Label, attempt+1, Answer(final[i]))
		}
		x := c.post(ctx, d)
		a := answerOf(x)
		c.record(x, Matches(x.Expect, x) || a.Shed())
		final[i] = x
		return a
	})
	return Accepted{Result: res, Final: final}
}

func answerOf(x evidence.Exchange) redelivery.Answer {
	if x.Response == nil {
		return redelivery.Answer{}
	}
	return redelivery.Answer{Status: x.Response.Status, RetryAfter: x.Response.Headers["Retry-After"]}
}

// Failed lists the deliveries whose last answer was a 5xx that does not
// shed load, or no answer at all: what a sender retries for nothing.
func (a Accepted) Failed() []evidence.Exchange {
	var out []evidence.Exchange
	for _, x := range a.Final {
		if ans := answerOf(x); x.Request.Method != "" && (ans.Status == 0 || ans.Status >= 500) && !ans.Shed() {
			out = append(out, x)
		}
	}
	return out
}

// ExpectAccepted fails the check unless every event of acc was accepted
// and every copy got what it expected or was shed: a 429 to one of many
// copies is backpressure, which MiniVoice retries, while a 409 or a 5xx
// is named as ExpectAnswers names it.
func (c *Case) ExpectAccepted(acc Accepted) {
	ginkgo.GinkgoHelper()
	var judged []evidence.Exchange
	for _, x := range acc.Final {
		if !answerOf(x).Shed() {
			judged = append(judged, x)
		}
	}
	c.ExpectAnswers(judged...)
	if never := acc.Tally(nil).NeverAccepted; len(never) > 0 {
		ginkgo.Fail(strings.Join(acc.Tally(nil).Problems(problemKeys), "\n") +
			fmt.Sprintf(" (shed %d times, retried for %s)", acc.Shed, retryWindow(len(acc.Final))))
	}
}

// ExpectOutcome judges what SendUntilAccepted accepted against the
// receiver's records, in package outcome's words: it waits (by progress,
// like ExpectRecordedOnce) until every accepted event and a later marker
// are recorded, holds the quiet window, then fails naming the lost,
// duplicated, never accepted and unexpected keys. Only records of the
// calls sent count, so other checks' records are not unexpected.
func (c *Case) ExpectOutcome(ctx context.Context, acc Accepted) outcome.Tally {
	ginkgo.GinkgoHelper()
	sent := keySet(acc.Sent)
	c.watchKeys(WantExactlyOne, slices.Sorted(maps.Keys(sent))...)
	acked := slices.Sorted(maps.Keys(acc.Acked))
	marker, window := c.caughtUp(ctx)
	p := c.await(ctx, c.f.Config.Settle, func(counts map[string]int) bool {
		return offKeys(counts, WantAtLeastOne, append(marker, acked...)) == ""
	})
	if p.done {
		_ = c.hold(ctx, window, wantAtMostOne, acked)
	}
	counts, err := c.f.Env.Observer().Counts(ctx)
	if err != nil {
		ginkgo.Fail("observer: " + err.Error())
	}
	tally := acc.Tally(ofCalls(counts, sent))
	c.Notef("outcome: %s", tally)
	c.mu.Lock()
	c.ev.Outcome = &tally
	c.mu.Unlock()
	if problems := tally.Problems(problemKeys); len(problems) > 0 {
		msg := strings.Join(problems, "\n")
		if !p.done {
			msg += fmt.Sprintf("\n(stopped waiting for records: %s%s)", p.why(c.f.Config.Settle), c.unkeyedHint())
		}
		ginkgo.Fail(msg)
	}
	return tally
}

// ofCalls keeps the counts of keys whose call ID is one of sent's.
func ofCalls(counts map[string]int, sent map[string]bool) map[string]int {
	calls := map[string]bool{}
	for k := range sent {
		id, _, _ := strings.Cut(k, ":")
		calls[id] = true
	}
	out := map[string]int{}
	for k, n := range counts {
		if id, _, _ := strings.Cut(k, ":"); calls[id] {
			out[k] = n
		}
	}
	return out
}

func keySet(keys []string) map[string]bool {
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out
}
