package receivertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Record is a downstream record as the receivers send it.
type Record struct {
	EventKey string          `json:"event_key"`
	CallID   string          `json:"call_id"`
	Event    string          `json:"event"`
	Envelope json.RawMessage `json:"envelope"`
}

// Sink is a downstream on loopback that records what reaches it. It can
// fail the first requests with 500, hold requests until released, or answer
// slowly; a refused request is never a record.
type Sink struct {
	URL string

	mu        sync.Mutex
	requests  int
	records   []Record
	failFirst int
	hold      chan struct{}
	delay     time.Duration
	inFlight  int
	most      int // the most requests in flight at once
}

// NewSink starts a sink that stops with the test.
func NewSink(t testing.TB) *Sink {
	s := &Sink{}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// FailFirst makes the next n requests fail with 500; FailFirst(0) ends a
// run of failures.
func (s *Sink) FailFirst(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failFirst = s.requests + n
}

// Hold keeps every request waiting until the returned function is called.
func (s *Sink) Hold() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	return sync.OnceFunc(func() { close(ch) })
}

// Delay makes each answer take d.
func (s *Sink) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hold, delay := s.hold, s.delay
	s.requests++
	fail := s.requests <= s.failFirst
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	if fail {
		http.Error(w, "temporary failure", http.StatusInternalServerError)
		return
	}
	var rec Record
	if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.records = append(s.records, rec)
	s.mu.Unlock()
}

// Snapshot returns how many requests came and the records accepted so far.
func (s *Sink) Snapshot() (requests int, records []Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, append([]Record(nil), s.records...)
}

// MostInFlight returns the most requests the sink was answering at once.
func (s *Sink) MostInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.most
}

// Keys returns the event keys of the records accepted so far, in order.
func (s *Sink) Keys() []string {
	_, recs := s.Snapshot()
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.EventKey
	}
	return keys
}
