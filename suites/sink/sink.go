// Package sink is the harness's stand-in for a receiver's downstream (the
// CRM a real receiver updates after acknowledging): a loopback HTTP server
// where each POST is one business record, counted per key. Checks can make
// it slow or failing for chosen keys, which is how "do slow work after the
// response" is tested.
package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/minivoice/mvh/suites/observe"
)

// recordLimit bounds one record's body.
const recordLimit = 8 << 20

// Options configure a sink.
type Options struct {
	// Addr is where to listen; "127.0.0.1:0" (the default) picks a port.
	Addr string
	// AdvertiseHost replaces the listening host in URL, for receivers that
	// reach the harness by another name (a container's host gateway).
	AdvertiseHost string
	// Key is the JSON pointer of each record's key (observe.DefaultKey).
	Key    string
	Logger *slog.Logger
}

// Sink is a running sink; it implements observe.Observer.
type Sink struct {
	addr string // where it listens, kept so that Up rebinds the same port
	url  string
	key  string
	log  *slog.Logger

	mu       sync.Mutex
	srv      *http.Server // nil while Down
	counts   map[string]int
	slow     map[string]time.Duration
	fail     map[string]int
	refuse   map[string]Refusal
	unkeyed  int
	attempts []Attempt
	closed   chan struct{} // closed by Close: ends held connections
}

// Start listens and serves until Close.
func Start(o Options) (*Sink, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Key == "" {
		o.Key = observe.DefaultKey
	}
	if err := observe.CheckPointer(o.Key); err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("sink %s: %w", o.Addr, err)
	}
	host := o.AdvertiseHost
	if host == "" {
		host, _, _ = net.SplitHostPort(ln.Addr().String())
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	s := &Sink{
		addr: ln.Addr().String(),
		url:  "http://" + net.JoinHostPort(host, port) + "/records",
		key:  o.Key, log: o.Logger,
		counts: map[string]int{}, slow: map[string]time.Duration{}, fail: map[string]int{},
		refuse: map[string]Refusal{}, closed: make(chan struct{}),
	}
	s.serveOn(ln)
	return s, nil
}

// serveOn starts a server on ln; the caller holds no lock.
func (s *Sink) serveOn(ln net.Listener) {
	// Answers may be held back for a check's slow or silent downstream
	// (seconds), so the write bound is generous; it is there so that a
	// receiver that never reads its answers cannot pin the sink.
	srv := &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 2 * time.Minute, IdleTimeout: 60 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// URL is where a receiver forwards its records.
func (s *Sink) URL() string { return s.url }

// Kind is "sink".
func (s *Sink) Kind() string { return "sink" }

// Counts returns the records seen so far per key.
func (s *Sink) Counts(context.Context) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out, nil
}

// Unkeyed counts records refused because they had no key: a sign that
// the key pointer does not fit what the receiver forwards.
func (s *Sink) Unkeyed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unkeyed
}

// Slow makes every record of key take d before it is answered (and
// counted); d <= 0 makes it fast again.
func (s *Sink) Slow(key string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.slow, key)
		return
	}
	s.slow[key] = d
}

// Fail makes the next n records of key get 503 and not count.
func (s *Sink) Fail(key string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[key] = n
}

// Close stops the sink.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = srv.Close()
		return fmt.Errorf("sink: %w", err)
	}
	return nil
}

// serve handles one record. A record counts only once the sink answered
// it, the way a real downstream has done its work only when it replies: a
// receiver that gives up on a slow downstream has not delivered the record.
func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "records are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, recordLimit))
	if err != nil {
		http.Error(w, "read record", http.StatusBadRequest)
		return
	}
	key, err := observe.KeyOf(body, s.key)
	if err != nil {
		s.mu.Lock()
		s.unkeyed++
		s.mu.Unlock()
		s.log.Warn("sink: record without key", "pointer", s.key, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	at := Attempt{Key: key, At: time.Now(), Headers: r.Header.Clone()}
	delay, refusal := s.plan(key)
	if refusal != "" {
		at.Outcome = string(refusal)
		s.note(at)
		s.refuseWith(w, refusal)
		return
	}
	if delay > 0 && !wait(r.Context(), delay) {
		at.Outcome = "abandoned by the receiver while slow"
		s.note(at)
		return
	}
	at.Outcome, at.Accepted = "accepted (200)", true
	s.mu.Lock()
	s.counts[key]++
	s.mu.Unlock()
	s.note(at)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// plan returns the delay of key and how this attempt is refused, if it is.
func (s *Sink) plan(key string) (time.Duration, Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if how, ok := s.refuse[key]; ok {
		delete(s.refuse, key)
		return 0, how
	}
	if s.fail[key] > 0 {
		s.fail[key]--
		return 0, Refuse503
	}
	return s.slow[key], ""
}

// wait sleeps for d unless the client goes away first.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
