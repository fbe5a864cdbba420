package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReceiver answers 204 and counts what reached it, so a test can
// assert that a refused run sent nothing.
func countingReceiver(t *testing.T) (url string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/minivoice", hits
}

// TestConformRefusedBeforeSending: runs that cannot mean anything are exit
// 2 with one line naming the input, and the receiver sees no request.
func TestConformRefusedBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no check selected", []string{"--level", "must", "--only", "http.method-not-allowed"},
			"--level must --only http.method-not-allowed: select no check"},
		{"all skipped", []string{"--only", "ack.latency", "--skip", "ack.latency"}, "--only ack.latency --skip ack.latency: select no check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, hits := countingReceiver(t)
			code, stdout, stderr := conformRun(t, append([]string{"--url", url, "--secret", "whsec_0123456789abcdef"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want 2 and one line mentioning %q", code, stderr, tc.want)
			}
			if strings.Contains(stdout, "PASS") || hits.Load() != 0 {
				t.Errorf("stdout %q, %d requests reached the receiver; want none", stdout, hits.Load())
			}
		})
	}
}
