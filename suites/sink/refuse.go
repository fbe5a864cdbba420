package sink

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"
)

// Refusal is how the sink turns down one attempt at a record, the ways a
// real downstream fails: none of them is a record.
type Refusal string

// The refusals of downstream.flaky.
const (
	// Refuse503 answers 503 Service Unavailable.
	Refuse503 Refusal = "refused: 503"
	// RefuseReset resets the connection without an answer.
	RefuseReset Refusal = "refused: connection reset"
	// RefuseHold keeps the connection open HoldFor without an answer, then
	// closes it: a downstream that hangs.
	RefuseHold Refusal = "refused: held open, then closed unanswered"
)

// HoldFor is how long RefuseHold keeps a connection open.
const HoldFor = time.Second

// Attempt is one POST the sink received: a record when Accepted, else a
// refused (or abandoned) attempt, kept as evidence either way.
type Attempt struct {
	Key      string
	At       time.Time
	Outcome  string
	Accepted bool
	Headers  http.Header
}

// RefuseFirst makes the next attempt at key fail the way how says.
func (s *Sink) RefuseFirst(key string, how Refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[key] = how
}

// Attempts returns every attempt at the given keys (all keys when none are
// given), in arrival order.
func (s *Sink) Attempts(keys ...string) []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Attempt
	for _, a := range s.attempts {
		if len(keys) == 0 || slices.Contains(keys, a.Key) {
			a.Headers = a.Headers.Clone()
			out = append(out, a)
		}
	}
	return out
}

// attemptLimit bounds the attempts kept: the burst checks send thousands.
const attemptLimit = 20000

func (s *Sink) note(a Attempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.attempts) < attemptLimit {
		s.attempts = append(s.attempts, a)
	}
}

// refuseWith carries out a refusal on the request's connection.
func (s *Sink) refuseWith(w http.ResponseWriter, how Refusal) {
	if how == Refuse503 {
		http.Error(w, "sink told to fail", http.StatusServiceUnavailable)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "sink told to fail", http.StatusServiceUnavailable)
		return
	}
	defer conn.Close()
	if how == RefuseReset {
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // close sends RST, not FIN
		}
		return
	}
	t := time.NewTimer(HoldFor)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closed:
	}
}

// Down stops listening, and drops every open connection, until Up: the
// receiver's forwards meet "connection refused", as during an outage.
func (s *Sink) Down(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("sink down: %w", err)
	}
	return nil
}

// Up listens again on the same address after Down; it retries briefly in
// case the port is still being released.
func (s *Sink) Up(ctx context.Context) error {
	s.mu.Lock()
	up := s.srv != nil
	s.mu.Unlock()
	if up {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		ln, err := net.Listen("tcp", s.addr)
		if err == nil {
			s.serveOn(ln)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sink up %s: %w", s.addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
