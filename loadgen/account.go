package loadgen

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/minivoice/mvh/outcome"
)

// Counter counts a receiver's business records per key; the harness's
// sink and --inspect-url observers are Counters.
type Counter interface {
	Counts(ctx context.Context) (map[string]int, error)
}

// pollEvery is how often records are counted while they settle.
const pollEvery = 100 * time.Millisecond

// Account waits for the receiver's records of r's acked keys and sets
// r.Tally. Records are awaited by progress: while new ones keep arriving
// (one within the last settle), up to limit; once every acked key has one
// it still watches outcome.QuietWindow(settle) so late duplicates are
// counted too.
func Account(ctx context.Context, r *Result, c Counter, settle, limit time.Duration) error {
	acked := make(map[string]bool, len(r.Acked))
	for _, k := range r.Acked {
		acked[k] = true
	}
	quiet := outcome.QuietWindow(settle)
	start := time.Now()
	var counts map[string]int
	lastChange := start
	for {
		now, err := c.Counts(ctx)
		if err != nil {
			return fmt.Errorf("count records: %w", err)
		}
		if !maps.Equal(now, counts) {
			counts, lastChange = now, time.Now()
		}
		idle := time.Since(lastChange)
		if allRecorded(acked, counts) && idle >= quiet || idle >= settle || time.Since(start) >= limit {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
	t := outcome.Count(r.Sent, acked, counts)
	r.Tally = &t
	return nil
}

func allRecorded(acked map[string]bool, counts map[string]int) bool {
	for k := range acked {
		if counts[k] == 0 {
			return false
		}
	}
	return true
}

// CounterFunc is a function that counts records, as a Counter.
type CounterFunc func(ctx context.Context) (map[string]int, error)

// Counts calls f.
func (f CounterFunc) Counts(ctx context.Context) (map[string]int, error) { return f(ctx) }
