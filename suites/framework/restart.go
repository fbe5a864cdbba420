package framework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/target"
)

// Restart modes, for checks: c.Restart(ctx, framework.Crash).
const (
	Graceful = target.Graceful
	Crash    = target.Crash
)

// Outage is when the receiver was down: from the kill (or stop request)
// until it was ready again.
type Outage struct{ Down, Up time.Time }

// Restart stops the receiver the way m says and starts it again, marking
// both on the check's timeline. A receiver that cannot be restarted skips
// the check with the reason (never passes it); one that does not come
// back fails it.
func (c *Case) Restart(ctx context.Context, m target.Mode) Outage {
	ginkgo.GinkgoHelper()
	how := map[target.Mode]string{target.Crash: "crash: receiver killed (SIGKILL / docker kill)",
		target.Graceful: "graceful restart: receiver asked to stop (SIGTERM / docker stop)"}[m]
	o := Outage{Down: time.Now()}
	c.Mark("%s", how)
	err := c.f.Env.Restart(ctx, m)
	o.Up = time.Now()
	if errors.Is(err, target.ErrNoRestart) {
		ginkgo.Skip("needs a receiver the harness can restart: " + err.Error())
	}
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("the receiver did not come back after a %s restart: %v", m, err))
	}
	c.Mark("restarted: receiver ready again at %s after %s", c.f.Env.URL(), o.Up.Sub(o.Down).Round(time.Millisecond))
	return o
}

// Mark adds a moment, now, to the check's timeline.
func (c *Case) Mark(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ev.Timeline = append(c.ev.Timeline, evidence.Moment{At: time.Now(), What: fmt.Sprintf(format, args...)})
}

// timelineLimit bounds a timeline; a burst's is cut with a note.
const timelineLimit = 120

// timeline completes the marks with the check's exchanges and the sink's
// attempts at the watched keys, in time order; the caller holds c.mu.
func (c *Case) timeline(keys []string) []evidence.Moment {
	if len(c.ev.Timeline) == 0 {
		return nil // only checks that mark moments get a timeline
	}
	out := slices.Clone(c.ev.Timeline)
	for _, x := range c.ev.Exchanges {
		out = append(out, evidence.Moment{At: x.Started, What: "delivery: " + x.Label})
		out = append(out, evidence.Moment{At: x.Started.Add(x.Latency), What: "answer: " + Answer(x) + " to " + x.Label})
	}
	if c.f.Env != nil && c.f.Env.Sink() != nil && len(keys) > 0 {
		for _, a := range c.f.Env.Sink().Attempts(keys...) {
			what := "record " + a.Key + " " + a.Outcome
			if !a.Accepted {
				what = "attempt at " + a.Key + " " + a.Outcome + " (not a record)"
			}
			out = append(out, evidence.Moment{At: a.At, What: "sink: " + what, Headers: flatten(a.Headers)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if len(out) > timelineLimit {
		n := len(out) - timelineLimit
		out = append(out[:timelineLimit:timelineLimit], evidence.Moment{At: out[len(out)-1].At,
			What: fmt.Sprintf("(%d more moments not listed)", n)})
	}
	return out
}
