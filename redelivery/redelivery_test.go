package redelivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minivoice/mvh/redelivery"
)

// receiver is a loopback receiver whose answer to each request is decided
// by answer, given the key, how many requests are in flight and how many
// copies of the key it accepted before.
type receiver struct {
	srv      *httptest.Server
	inFlight atomic.Int64
	mu       sync.Mutex
	accepted map[string]int
	peak     int64
}

func newReceiver(t *testing.T, hold time.Duration, answer func(key string, inFlight int64, accepted int) (int, string)) *receiver {
	t.Helper()
	rc := &receiver{accepted: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rc.inFlight.Add(1)
		defer rc.inFlight.Add(-1)
		key := r.URL.Query().Get("key")
		rc.mu.Lock()
		rc.peak = max(rc.peak, n)
		before := rc.accepted[key]
		rc.mu.Unlock()
		time.Sleep(hold) // work in progress, so that requests overlap
		status, retryAfter := answer(key, n, before)
		if status/100 == 2 {
			rc.mu.Lock()
			rc.accepted[key]++
			rc.mu.Unlock()
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// sender posts delivery i with its key, as a Sender.
func (rc *receiver) sender(keys []string) redelivery.Sender {
	return func(ctx context.Context, i, attempt int) redelivery.Answer {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, rc.srv.URL+"/?key="+keys[i], strings.NewReader("{}"))
		resp, err := rc.srv.Client().Do(req)
		if err != nil {
			return redelivery.Answer{}
		}
		resp.Body.Close()
		return redelivery.Answer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	}
}

func keysOf(events, copies int) []string {
	var out []string
	for range copies {
		for e := range events {
			out = append(out, fmt.Sprintf("call_%d:call.created", e))
		}
	}
	return out
}

func TestRun(t *testing.T) {
	policy := redelivery.Policy{InFlight: 8, Schedule: []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond},
		Jitter: 0.1, MaxWait: 100 * time.Millisecond}
	tests := []struct {
		name   string
		keys   []string
		answer func(key string, inFlight int64, accepted int) (int, string)
		until  time.Duration
		check  func(t *testing.T, r redelivery.Result, rc *receiver)
	}{
		{"429 above 3 in flight: every event accepted in the end", keysOf(40, 1),
			func(_ string, n int64, _ int) (int, string) {
				if n > 3 {
					return http.StatusTooManyRequests, "0"
				}
				return http.StatusNoContent, ""
			}, 10 * time.Second,
			func(t *testing.T, r redelivery.Result, rc *receiver) {
				if len(r.Acked) != 40 || r.Shed == 0 || r.Retries == 0 || r.GaveUp != 0 {
					t.Errorf("acked %d of 40, shed %d, retries %d, gave up %d", len(r.Acked), r.Shed, r.Retries, r.GaveUp)
				}
				if r.LowestInFlight >= 8 {
					t.Errorf("lowest in flight %d: the sender never eased off", r.LowestInFlight)
				}
				if tally := r.Tally(rc.accepted); !tally.OK() {
					t.Errorf("tally %s", tally)
				}
			}},
		{"503 with Retry-After is retried until the limit, then never accepted", keysOf(3, 1),
			func(string, int64, int) (int, string) { return http.StatusServiceUnavailable, "1" },
			300 * time.Millisecond,
			func(t *testing.T, r redelivery.Result, _ *receiver) {
				if len(r.Acked) != 0 || r.Retries == 0 || r.GaveUp != 3 {
					t.Errorf("acked %d, retries %d, gave up %d; want 0, >0, 3", len(r.Acked), r.Retries, r.GaveUp)
				}
				if got := r.Tally(nil).NeverAccepted; len(got) != 3 {
					t.Errorf("never accepted %v, want 3 keys", got)
				}
			}},
		{"503 without Retry-After and 500 are final", keysOf(4, 1),
			func(key string, _ int64, _ int) (int, string) {
				if strings.HasPrefix(key, "call_0") {
					return http.StatusInternalServerError, ""
				}
				return http.StatusServiceUnavailable, ""
			}, 5 * time.Second,
			func(t *testing.T, r redelivery.Result, _ *receiver) {
				if r.Retries != 0 || r.Shed != 0 || r.Answers[503] != 3 || r.Answers[500] != 1 {
					t.Errorf("retries %d, shed %d, answers %v", r.Retries, r.Shed, r.Answers)
				}
			}},
		{"a copy shed after its event was accepted is not sent again", keysOf(5, 3),
			func(_ string, _ int64, accepted int) (int, string) {
				if accepted > 0 {
					return http.StatusTooManyRequests, "1" // waits MaxWait: the accepting copy is booked by then
				}
				return http.StatusOK, ""
			}, 5 * time.Second,
			func(t *testing.T, r redelivery.Result, rc *receiver) {
				if len(r.Acked) != 5 || r.Dropped != r.Shed || r.Retries != 0 {
					t.Errorf("acked %d, shed %d, dropped %d, retries %d", len(r.Acked), r.Shed, r.Dropped, r.Retries)
				}
				if len(r.Sent) != 15 {
					t.Errorf("sent %d, want 15 copies", len(r.Sent))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, 5*time.Millisecond, tt.answer)
			p := policy
			p.Until = time.Now().Add(tt.until)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r := redelivery.Run(ctx, p, tt.keys, rc.sender(tt.keys))
			if rc.peak > int64(p.InFlight) {
				t.Errorf("%d in flight at once, over the policy's %d", rc.peak, p.InFlight)
			}
			if r.Shed != r.Retries+r.Dropped+r.GaveUp {
				t.Errorf("%d shed answers, but %d retries + %d dropped + %d gave up", r.Shed, r.Retries, r.Dropped, r.GaveUp)
			}
			tt.check(t, r, rc)
		})
	}
}

func TestRunStopsWithContext(t *testing.T) {
	rc := newReceiver(t, 0, func(string, int64, int) (int, string) { return http.StatusTooManyRequests, "1" })
	keys := keysOf(50, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := redelivery.Run(ctx, redelivery.Policy{InFlight: 4, MaxWait: 50 * time.Millisecond}, keys, rc.sender(keys))
	if len(r.Acked) != 0 || r.Took > 5*time.Second {
		t.Errorf("acked %d, took %s", len(r.Acked), r.Took)
	}
	if len(r.Sent) == 0 {
		t.Error("nothing sent")
	}
}
