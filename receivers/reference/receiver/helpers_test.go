package receiver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

const (
	testSecret = receivertest.Secret
	testPath   = receivertest.Path
)

var (
	envelopeJSON = receivertest.Envelope
	eventually   = receivertest.Eventually
	deliver      = receivertest.Deliver
)

// signedHeaders signs body at ts with secrets, as MiniVoice does.
func signedHeaders(body []byte, ts time.Time, secrets ...string) http.Header {
	return receivertest.Headers(body, ts, secrets...)
}

// post sends body with headers and returns the status and response body.
func post(t *testing.T, url string, h http.Header, body []byte) (int, string) {
	t.Helper()
	return receivertest.Do(t, http.MethodPost, url, h, body)
}

// harness is a receiver on loopback, its store, and its downstream sink.
type harness struct {
	url   string
	store *store
	sink  *receivertest.Sink
}

// start runs the receiver's routes and steps on 127.0.0.1, as Serve
// assembles them, with a fresh in-memory store and, when withSink, a
// forwarder to a recording sink with fast retries.
func start(t *testing.T, withSink bool) *harness {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openStore(t.Context(), ":memory:", withSink, eventKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{store: st}
	cfg := Config{Secrets: []string{testSecret}}
	if withSink {
		h.sink = receivertest.NewSink(t)
		cfg.Downstream = h.sink.URL
	}
	var fw *forwarder
	steps := defaultSteps(cfg, st, func() { fw.Notify() })
	if withSink {
		fw = newForwarder(st, steps.Forward, logger)
		fw.poll = 10 * time.Millisecond
		fw.backoff = exponential(20*time.Millisecond, 100*time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); fw.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	srv := httptest.NewServer(routes(testPath, &receiver{steps: steps, logger: logger}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + testPath
	return h
}

// count returns how many rows table holds.
func (h *harness) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := h.store.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// settled waits until the outbox holds n rows, all forwarded: after that
// nothing more can reach the sink.
func (h *harness) settled(t *testing.T, n int) {
	t.Helper()
	eventually(t, 5*time.Second, func() bool {
		var rows, done int
		err := h.store.db.QueryRow(`SELECT count(*), count(forwarded_at) FROM outbox`).Scan(&rows, &done)
		return err == nil && rows == n && done == n
	})
}
