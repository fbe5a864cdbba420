package mock

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec"
)

// Test helpers of the delivery engine are prefixed eng, so they never
// collide with the server and inbox tests of this package.

// engSpec is the embedded contract.
func engSpec(t testing.TB) *spec.Spec {
	t.Helper()
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// engOpen opens an engine (in memory unless cfg.DB is set) and closes it at
// the end of the test.
func engOpen(t *testing.T, cfg Config) *Engine {
	t.Helper()
	if cfg.DB == "" {
		cfg.DB = MemoryDB
	}
	e, err := Open(context.Background(), engSpec(t), cfg)
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// engStart opens an engine and runs it until the test ends; the returned
// function stops Run and waits for it.
func engStart(t *testing.T, cfg Config) (*Engine, func()) {
	t.Helper()
	e := engOpen(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return e, stop
}

// engWait waits (bounded) until the deliveries are finished.
func engWait(t *testing.T, e *Engine, ds []Delivery) []Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	out, err := e.Wait(ctx, ids...)
	if err != nil {
		t.Fatalf("wait for %v: %v", ids, err)
	}
	return out
}

// engAttempts returns the recorded attempts of a delivery.
func engAttempts(t *testing.T, e *Engine, id string) (Delivery, []Attempt) {
	t.Helper()
	d, as, err := e.Delivery(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d, as
}

// engHit is one request a sink received.
type engHit struct {
	at     time.Time
	header http.Header
	body   []byte
}

// engSink is a loopback receiver that answers with a scripted status per
// request (the last one repeats), optionally after a delay, and measures how
// many requests it handles at once.
type engSink struct {
	*httptest.Server
	mu       sync.Mutex
	hits     []engHit
	statuses []int
	delay    time.Duration
	inflight int
	peak     int
}

func engNewSink(t *testing.T, delay time.Duration, statuses ...int) *engSink {
	return engNewSinkAt(t, "127.0.0.1:0", delay, statuses...)
}

// engNewSinkAt starts a sink on a given loopback address, e.g. one a
// previous test step found closed: the receiver "comes back up".
func engNewSinkAt(t *testing.T, addr string, delay time.Duration, statuses ...int) *engSink {
	t.Helper()
	if len(statuses) == 0 {
		statuses = []int{http.StatusOK}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &engSink{statuses: statuses, delay: delay}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Listener.Close()
	s.Server.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// setDelay changes how long the sink waits before answering.
func (s *engSink) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *engSink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.hits)
	s.hits = append(s.hits, engHit{at: time.Now(), header: r.Header.Clone(), body: body})
	s.inflight++
	s.peak = max(s.peak, s.inflight)
	status := s.statuses[min(n, len(s.statuses)-1)]
	delay := s.delay
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inflight--; s.mu.Unlock() }()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (s *engSink) snapshot() ([]engHit, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]engHit(nil), s.hits...), s.peak
}

// engWaitHits polls (bounded) until the sink has at least n requests.
func engWaitHits(t *testing.T, s *engSink, n int) []engHit {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if hits, _ := s.snapshot(); len(hits) >= n {
			return hits
		}
		time.Sleep(5 * time.Millisecond)
	}
	hits, _ := s.snapshot()
	t.Fatalf("sink got %d requests, want %d", len(hits), n)
	return nil
}

// engClosedPort returns a loopback URL nothing listens on.
func engClosedPort(t *testing.T) string {
	t.Helper()
	return "http://" + engFreeAddr(t) + "/webhooks/minivoice"
}

// engFreeAddr returns a loopback address that was free a moment ago.
func engFreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// engSchedule parses a schedule or fails the test.
func engSchedule(t *testing.T, s string) []time.Duration {
	t.Helper()
	d, err := spec.ParseSchedule(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
