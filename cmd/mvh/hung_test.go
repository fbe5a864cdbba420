package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sync/atomic"
	"testing"
)

// hungRun is a real mvh conform process against a receiver that never
// answers, as the interrupt and timeout tests need it.
type hungRun struct {
	cmd            *exec.Cmd
	done           chan error // the process's exit
	posts          *atomic.Int64
	stdout, stderr bytes.Buffer
	dir            string // --report-dir
}

// startHung starts `mvh conform --url <hung receiver> --report-dir DIR
// args...`; the receiver holds every request until the test ends.
func startHung(t *testing.T, args ...string) *hungRun {
	t.Helper()
	h := &hungRun{done: make(chan error, 1), posts: &atomic.Int64{}, dir: t.TempDir()}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			h.posts.Add(1)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: no request is held at Close
	h.cmd = exec.Command(mvhBinary(t), append([]string{"conform", "--url", srv.URL + "/webhooks/minivoice",
		"--secret", "whsec_0123456789abcdef", "--report-dir", h.dir}, args...)...)
	h.cmd.Stdout, h.cmd.Stderr = &h.stdout, &h.stderr
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.done <- h.cmd.Wait() }()
	return h
}
