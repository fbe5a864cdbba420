package main

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

// harness is a faulty receiver on loopback with its store and sink.
type harness struct {
	url    string
	store  *store
	sink   *sink
	rc     *receiver
	exited []int // exit codes crash-on-oversized asked for
	mu     sync.Mutex
}

// start runs the receiver with defect ("" for none) on 127.0.0.1, with an
// in-memory store and a forwarder to a recording sink.
func start(t *testing.T, defect string) *harness {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openStore(t.Context(), ":memory:", defect)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{store: st, sink: newSink(t)}
	h.rc = newReceiver(Config{Secret: testSecret, Defect: defect}, st, logger)
	h.rc.exit = func(code int) { h.mu.Lock(); h.exited = append(h.exited, code); h.mu.Unlock() }
	h.rc.forwarder = newForwarder(h.sink.url, logger)
	h.rc.forwarder.backoff = 10 * time.Millisecond
	srv := httptest.NewServer(routes(testPath, defect, h.rc))
	t.Cleanup(func() { srv.Close(); h.rc.forwarder.Close() })
	h.url = srv.URL + testPath
	return h
}

// count returns how many events the store holds.
func (h *harness) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.store.db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// envelopeJSON is a delivery body shaped like MiniVoice's example.
func envelopeJSON(callID, event string) []byte {
	return fmt.Appendf(nil, `{"call":{"application_id":"app_123","customer_id":"cust_123","direction":"inbound",`+
		`"from":"+15551230001","id":%q,"status":"in_progress","to":"+15551230002"},"created_at":"2026-05-29T12:00:00Z",`+
		`"data":{"event_key":"%s:%s"},"event":%q,"variables":{}}`, callID, callID, event, event)
}

// headers returns the signature headers for body at ts; sig overrides the
// signature header value when not empty.
func headers(body []byte, ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(signature.TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	if sig == "" {
		sig = signature.Sign(ts.Unix(), body, testSecret)
	}
	h.Set(signature.SignatureHeader, sig)
	return h
}

// send makes one request and returns its status.
func send(t *testing.T, method, url string, h http.Header, body []byte) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	status, err := do(req, h)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// trySend posts body and returns the status, or the error when no answer
// came (the receiver crashed).
func trySend(url string, h http.Header, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	return do(req, h)
}

func do(req *http.Request, h http.Header) (int, error) {
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// deliver posts body validly signed now and returns the status.
func deliver(t *testing.T, url string, body []byte) int {
	t.Helper()
	return send(t, http.MethodPost, url, headers(body, time.Now(), ""), body)
}

// sink is a downstream that records each request and can be slow.
type sink struct {
	url   string
	mu    sync.Mutex
	keys  []string
	delay time.Duration
}

func newSink(t *testing.T) *sink {
	s := &sink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec record
		_ = json.NewDecoder(r.Body).Decode(&rec)
		s.mu.Lock()
		s.keys = append(s.keys, rec.EventKey)
		delay := s.delay
		s.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *sink) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *sink) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}
