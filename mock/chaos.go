package mock

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// maxDuplicate bounds Chaos.Duplicate: enough to flood a receiver's dedupe,
// not enough to fill the outbox by a typo.
const maxDuplicate = 100

// checkChaos rejects settings no delivery can honour.
func checkChaos(c Chaos) error {
	switch {
	case c.Duplicate < 0 || c.Duplicate > maxDuplicate:
		return fmt.Errorf("duplicate %d: %w: want 0 to %d", c.Duplicate, ErrInvalid, maxDuplicate)
	case c.LostAck < 0:
		return fmt.Errorf("lost-ack %d: %w: want 0 or more", c.LostAck, ErrInvalid)
	case c.Jitter < 0:
		return fmt.Errorf("jitter %s: %w: want 0 or more", c.Jitter, ErrInvalid)
	}
	return nil
}

// applyChaos turns one delivery into what the chaos settings make of it:
// shifted by a random jitter, then copied Duplicate times. Concurrent copies
// share the original's due time, so the pool starts them together;
// sequential copies each wait for the previous one to finish. Lost acks are
// applied (and recorded) at attempt time, see Engine.attempt.
func (e *Engine) applyChaos(r record, c Chaos) []record {
	if c.Jitter > 0 {
		extra := time.Duration(rand.Int64N(int64(min(c.Jitter, math.MaxInt64-1)) + 1))
		r.origin = r.origin.Add(extra)
		r.NextAttemptAt = r.NextAttemptAt.Add(extra)
		r.Chaos = append(r.Chaos, fmt.Sprintf("jitter +%s", extra.Round(time.Millisecond)))
	}
	if c.LostAck > 0 {
		r.Chaos = append(r.Chaos, fmt.Sprintf("lost-ack planned for the first %d attempt(s)", c.LostAck))
	}
	if c.Duplicate == 0 {
		return []record{r}
	}
	mode := "sequential"
	if c.Concurrent {
		mode = "concurrent"
	}
	orig := r
	orig.Chaos = append(slices.Clone(r.Chaos), fmt.Sprintf("duplicated %d time(s), %s", c.Duplicate, mode))
	out := []record{orig}
	prev := orig.ID
	for i := 1; i <= c.Duplicate; i++ {
		cp := r
		cp.ID = newID("dlv")
		cp.Chaos = append(slices.Clone(r.Chaos), fmt.Sprintf("duplicate %d/%d of %s, %s", i, c.Duplicate, orig.ID, mode))
		if !c.Concurrent {
			cp.afterID, cp.NextAttemptAt = prev, time.Time{}
		}
		out = append(out, cp)
		prev = cp.ID
	}
	return out
}

// shuffleOrder returns a permutation of 0..n-1 that is not the identity
// (for n > 1): the slot each event of a call is sent in when its events are
// delivered out of order.
func shuffleOrder(n int) []int {
	p := rand.Perm(n)
	if n > 1 && slices.IsSorted(p) {
		slices.Reverse(p)
	}
	return p
}
