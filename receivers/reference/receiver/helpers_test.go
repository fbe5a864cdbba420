package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

const (
	testSecret = "whsec_minivoice_test"
	testPath   = "/webhooks/minivoice"
)

// envelopeJSON is a delivery body shaped like MiniVoice's documented
// example, with the given call ID and event.
func envelopeJSON(callID, event string) []byte {
	return fmt.Appendf(nil, `{"call":{"application_id":"app_123","customer_id":"cust_123","direction":"inbound",`+
		`"from":"+15551230001","id":%q,"status":"in_progress","to":"+15551230002"},"created_at":"2026-05-29T12:00:00Z",`+
		`"data":{"event_key":"%s:%s"},"event":%q,"variables":{}}`, callID, callID, event, event)
}

// signedHeaders signs body at ts with secrets, as MiniVoice does.
func signedHeaders(body []byte, ts time.Time, secrets ...string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(signature.TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	h.Set(signature.SignatureHeader, signature.Sign(ts.Unix(), body, secrets...))
	return h
}

// post sends body with headers and returns the status and response body.
func post(t *testing.T, url string, h http.Header, body []byte) (int, string) {
	t.Helper()
	return do(t, http.MethodPost, url, h, body)
}

func do(t *testing.T, method, url string, h http.Header, body []byte) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deliver posts a freshly signed delivery of body and returns the status.
func deliver(t *testing.T, url string, body []byte) int {
	t.Helper()
	status, _ := post(t, url, signedHeaders(body, time.Now(), testSecret), body)
	return status
}

// harness is a receiver on loopback, its store, and its downstream sink.
type harness struct {
	url   string
	store *store
	sink  *sink
}

// start runs the receiver's routes on 127.0.0.1 with a fresh in-memory
// store and, when withSink, a forwarder to a recording sink with fast retries.
func start(t *testing.T, withSink bool) *harness {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openStore(t.Context(), ":memory:", withSink)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rc := &receiver{verifier: newVerifier([]string{testSecret}), store: st, logger: logger}
	h := &harness{store: st}
	if withSink {
		h.sink = newSink(t)
		fw := newForwarder(st, h.sink.url, logger)
		fw.poll = 10 * time.Millisecond
		fw.backoff = exponential(20*time.Millisecond, 100*time.Millisecond)
		rc.notify = fw.Notify
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); fw.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	srv := httptest.NewServer(routes(testPath, rc))
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

// sink is a downstream that records what reaches it. It fails the first
// failFirst requests with 500 and, while hold is open, holds each request.
type sink struct {
	url       string
	mu        sync.Mutex
	requests  int
	records   []record
	failFirst int
	hold      chan struct{}
}

func newSink(t *testing.T) *sink {
	s := &sink{}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hold := s.hold
	s.requests++
	fail := s.requests <= s.failFirst
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	if fail {
		http.Error(w, "temporary failure", http.StatusInternalServerError)
		return
	}
	var rec record
	if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.records = append(s.records, rec)
	s.mu.Unlock()
}

func (s *sink) snapshot() (requests int, records []record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, append([]record(nil), s.records...)
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
