package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLiveLinePlain: without a terminal, a step that lasts gets a plain line
// every few seconds; one that ends quickly leaves no trace.
func TestLiveLinePlain(t *testing.T) {
	var out lockedBuffer
	l := &liveLine{w: &out, after: 100 * time.Millisecond, every: 20 * time.Millisecond}
	l.Show("quick")
	l.Clear()
	l.Show("starting the receiver")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "starting the receiver: still running after"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line in 10s: %q", out.String())
		}
	}
	l.Clear()
	seen := out.String()
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(seen, "quick") || out.String() != seen {
		t.Fatalf("lines after Clear or for a quick step: %q", out.String())
	}
}

// TestConformShowsALongCheck: a check that takes seconds shows on stderr
// (not a terminal here) as it runs, and --json keeps stderr free of it.
func TestConformShowsALongCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a 6 s answer")
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{{nil, true}, {[]string{"--json"}, false}} {
		// The first delivery is answered after 6 s, the rest at once: one
		// long check, then a quick run.
		var first sync.Once
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			first.Do(func() { time.Sleep(6 * time.Second) })
			w.WriteHeader(http.StatusUnauthorized) // unverified: the check fails, which is not the point
		}))
		args := append([]string{"conform", "--url", srv.URL + "/webhooks/minivoice", "--secret", "whsec_0123456789abcdef",
			"--only", "ack.valid-delivery", "--ready-timeout", "5s"}, tc.args...)
		_, _, errOut := mvhIO(t, "", args...)
		srv.Close()
		if got := strings.Contains(errOut, "mvh: ack.valid-delivery: still running after 5s"); got != tc.want {
			t.Errorf("mvh %v: progress line shown %v, want %v; stderr:\n%s", tc.args, got, tc.want, errOut)
		}
	}
}
