package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

// TestVariantsAreCorrect runs each correct variant as the whole program:
// a delivery, its redelivery and a second event of the call are two
// records, each forwarded exactly once, and every answer is a 2xx; the
// variant's own difference shows in what comes back.
func TestVariantsAreCorrect(t *testing.T) {
	tests := []struct {
		variant string
		extra   []string
		want    string // status, body and Connection header of every answer
	}{
		{"", nil, `200 {"ok":true} keep-alive`},
		{shed429, nil, `200 {"ok":true} keep-alive`},
		{noBody204, nil, `204  keep-alive`},
		{closeConnection, nil, `200 {"ok":true} close`},
		{slowForward, []string{"--forward-delay", "300ms"}, `200 {"ok":true} keep-alive`},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			t.Parallel()
			args := tt.extra
			if tt.variant != "" {
				args = append(args, "--variant", tt.variant)
			}
			h := start(t, "", args...)
			h.sink.Delay(100 * time.Millisecond) // long enough for forwards to overlap, unless one at a time
			for _, ev := range []string{"call.created", "call.created", "call.completed"} {
				if got := answer(t, h.url, receivertest.Envelope("call_v", ev)); got != tt.want {
					t.Errorf("%s: answer %q, want %q", ev, got, tt.want)
				}
			}
			h.records(t)
			keys := h.sink.Keys()
			slices.Sort(keys)
			if want := []string{"call_v:call.completed", "call_v:call.created"}; !slices.Equal(keys, want) {
				t.Errorf("records %v, want %v", keys, want)
			}
			if tt.variant == slowForward && h.sink.MostInFlight() != 1 {
				t.Errorf("%d forwards at once, want one at a time", h.sink.MostInFlight())
			}
		})
	}
}

// answer delivers body and sums up the answer: status, body, and whether
// the connection stays open.
func answer(t *testing.T, url string, body []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = receivertest.Headers(body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	conn := "keep-alive"
	if resp.Close {
		conn = "close"
	}
	return fmt.Sprintf("%d %s %s", resp.StatusCode, strings.TrimSpace(string(b)), conn)
}

// TestShedAnswers429BeyondTheLimit holds shedLimit deliveries inside the
// handler: the next one gets 429 with Retry-After: 1, and once they finish
// a delivery gets through again.
func TestShedAnswers429BeyondTheLimit(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(shedLimit)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Hold") != "" {
			entered.Done()
			<-release
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(shed(inner, receivertest.Path, shedLimit))
	t.Cleanup(srv.Close)
	url := srv.URL + receivertest.Path
	held := make([]int, shedLimit)
	var done sync.WaitGroup
	for i := range held {
		done.Go(func() { held[i], _ = receivertest.Do(t, http.MethodPost, url, http.Header{"X-Hold": {"1"}}, nil) })
	}
	entered.Wait()
	status, retryAfter := shedOnce(t, url)
	close(release)
	done.Wait()
	if status != http.StatusTooManyRequests || retryAfter != "1" {
		t.Errorf("delivery %d in flight: %d Retry-After %q, want 429 and 1", shedLimit+1, status, retryAfter)
	}
	for i, s := range held {
		if s != http.StatusOK {
			t.Errorf("held delivery %d: %d, want 200", i, s)
		}
	}
	if status, _ := shedOnce(t, url); status != http.StatusOK {
		t.Errorf("after the load: %d, want 200", status)
	}
}

func shedOnce(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// TestForwardDelayIsDeterministic: the same key always waits as long, and
// never longer than the maximum.
func TestForwardDelayIsDeterministic(t *testing.T) {
	seen := map[time.Duration]bool{}
	for i := range 50 {
		key := fmt.Sprintf("call_%d:call.created", i)
		d := forwardDelay(key, 2*time.Second)
		if d != forwardDelay(key, 2*time.Second) || d < 0 || d > 2*time.Second {
			t.Fatalf("%s: delay %s, then %s", key, d, forwardDelay(key, 2*time.Second))
		}
		seen[d] = true
	}
	if len(seen) < 40 {
		t.Errorf("only %d distinct delays over 50 keys", len(seen))
	}
}
