package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
	"github.com/minivoice/mvh/spec/signature"
)

// quiet is how long the sink must get nothing new before its records
// count: far longer than a forward over loopback takes.
const quiet = time.Second

// harness is the whole faulty program on loopback with its downstream sink.
type harness struct {
	url  string
	sink *receivertest.Sink

	mu     sync.Mutex
	exited []int // exit codes crash-on-oversized asked for
}

// start runs the program with defect ("" for none) on 127.0.0.1 with an
// in-memory store and a recording sink, until the test ends.
func start(t *testing.T, defect string, extra ...string) *harness {
	t.Helper()
	h := &harness{sink: receivertest.NewSink(t)}
	args := append([]string{"--secret", receivertest.Secret, "--addr", "127.0.0.1:0", "--downstream", h.sink.URL}, extra...)
	if defect != "" {
		args = append(args, "--defect", defect)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs receivertest.Buffer
	done := make(chan int, 1)
	exit := func(code int) { h.mu.Lock(); h.exited = append(h.exited, code); h.mu.Unlock() }
	go func() { done <- runWith(ctx, args, func(string) string { return "" }, &logs, exit) }()
	h.url = "http://" + receivertest.Listening(t, &logs) + receivertest.Path
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// records waits until the sink has had nothing new for the quiet period
// and returns how many records it accepted.
func (h *harness) records(t *testing.T) int {
	t.Helper()
	n, last := -1, time.Now()
	receivertest.Eventually(t, 10*time.Second, func() bool {
		got, _ := h.sink.Snapshot()
		if got != n {
			n, last = got, time.Now()
		}
		return time.Since(last) >= quiet
	})
	_, recs := h.sink.Snapshot()
	return len(recs)
}

// headers signs body at ts; sig overrides the signature header when set.
func headers(body []byte, ts time.Time, sig string) http.Header {
	h := receivertest.Headers(body, ts)
	if sig != "" {
		h.Set(signature.SignatureHeader, sig)
	}
	h.Set(signature.TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	return h
}

// send makes one request and returns its status.
func send(t *testing.T, method, url string, h http.Header, body []byte) int {
	t.Helper()
	status, _ := receivertest.Do(t, method, url, h, body)
	return status
}
