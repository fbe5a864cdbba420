package framework

import (
	"slices"
	"sync"
	"time"
)

// ackWindow is how many of the run's latest acknowledgements are kept, and
// ackMinimum how many it takes before the run knows how fast the receiver
// acknowledges.
const (
	ackWindow  = 32
	ackMinimum = 8
)

// ackTimes keeps the latest 2xx answer times of a run, across its checks:
// how fast this receiver acknowledges, so that a check whose point is not
// latency need not spend minutes re-proving that a slow receiver is slow.
type ackTimes struct {
	mu   sync.Mutex
	last []time.Duration
	next int
}

func (a *ackTimes) add(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.last) < ackWindow {
		a.last = append(a.last, d)
		return
	}
	a.last[a.next] = d
	a.next = (a.next + 1) % ackWindow
}

// median is the median of the kept times; ok is false until there are
// ackMinimum of them.
func (a *ackTimes) median() (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.last) < ackMinimum {
		return 0, false
	}
	s := slices.Clone(a.last)
	slices.Sort(s)
	return s[len(s)/2], true
}

// OverBudget reports the median time this receiver took to acknowledge in
// the run so far, and whether it is over --ack-budget: then more than half
// of its acknowledgements are late, so ack.latency's verdict (a p95) is
// settled, and a check sending many deliveries for another property may
// send fewer, or more at a time, saying so in its evidence.
func (c *Case) OverBudget() (time.Duration, bool) {
	m, ok := c.f.acks.median()
	return m, ok && m > c.f.Config.AckBudget
}

// slack is the time limit's allowance for a check's requests: a minute at
// the default --ack-budget, more in proportion for a larger budget, so a
// receiver allowed to acknowledge slowly is also given the time to.
func (f *Framework) slack() time.Duration {
	if b := f.Config.AckBudget; b > DefaultAckBudget {
		return time.Duration(float64(time.Minute) * float64(b) / float64(DefaultAckBudget))
	}
	return time.Minute
}
