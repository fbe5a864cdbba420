package framework

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/sink"
	"github.com/minivoice/mvh/suites/target"
)

// sinkEnv is an Env with only the harness sink, for the record waits.
type sinkEnv struct{ s *sink.Sink }

func (e sinkEnv) URL() string                                { return "" }
func (e sinkEnv) Client() *http.Client                       { return http.DefaultClient }
func (e sinkEnv) Secret() string                             { return "" }
func (e sinkEnv) Observer() observe.Observer                 { return e.s }
func (e sinkEnv) Sink() *sink.Sink                           { return e.s }
func (e sinkEnv) Restart(context.Context, target.Mode) error { return target.ErrNoRestart }

// forward posts n records to the sink, one every gap, as a receiver's
// worker forwarding one at a time; it stops early when ctx ends.
func forward(ctx context.Context, url string, n int, gap time.Duration) error {
	for i := range n {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(gap):
		}
		body := fmt.Appendf(nil, `{"event_key":"call_%d:call.created"}`, i)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil // the wait is over
			}
			return err
		}
		resp.Body.Close()
	}
	return nil
}

// TestAwaitByProgress: a wait goes on past --settle while records keep
// arriving, gives up after --settle without a new record, and never
// waits longer than --settle-max.
func TestAwaitByProgress(t *testing.T) {
	const settle = time.Second // ten times the forwarder's gap, so a loaded machine does not stall it
	for _, tc := range []struct {
		name      string
		records   int
		gap       time.Duration
		settleMax time.Duration
		want      int // records awaited
		done      bool
		stalled   bool
	}{
		{"steady forwarder, longer than --settle in all", 15, 100 * time.Millisecond, 10 * time.Second, 15, true, false},
		{"stalls after 3 records", 3, 50 * time.Millisecond, 10 * time.Second, 5, false, true},
		{"still forwarding at --settle-max", 1000, 100 * time.Millisecond, 1500 * time.Millisecond, 1000, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sink.Start(sink.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close(context.Background()) })
			c := &Case{f: &Framework{Config: Config{Settle: settle, SettleMax: tc.settleMax}, Env: sinkEnv{s}}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			forwarded := make(chan error, 1)
			go func() { forwarded <- forward(ctx, s.URL(), tc.records, tc.gap) }()
			start := time.Now()
			p := c.await(ctx, settle, func(counts map[string]int) bool { return len(counts) >= tc.want })
			took := time.Since(start)
			cancel()
			if err := <-forwarded; err != nil {
				t.Fatalf("forward: %v", err)
			}
			if p.done != tc.done || p.stalled != tc.stalled {
				t.Fatalf("done %v stalled %v after %s with %d records; want done %v stalled %v", p.done, p.stalled, took, len(p.counts), tc.done, tc.stalled)
			}
			switch {
			case tc.done && took < settle:
				t.Errorf("done after %s: the records alone need longer than --settle", took)
			case tc.stalled && took < settle:
				t.Errorf("gave up after %s, before --settle without a new record", took)
			case !tc.done && !tc.stalled && took < tc.settleMax:
				t.Errorf("gave up after %s, before --settle-max", took)
			}
			if len(c.ev.Notes) == 0 {
				t.Error("no note says how long the records took")
			}
		})
	}
}
