package mock

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/minivoice/mvh/spec"
)

// EventOptions shape an event built from the contract's example.
type EventOptions struct {
	// CallID is call.id (and the prefix of data.event_key); empty means a
	// fresh one, so independent sends never collide in a receiver's store.
	CallID string
	// CreatedAt is created_at; zero means now.
	CreatedAt time.Time
	// Set are dotted-path overrides applied in order (--set call.status=completed).
	Set []spec.Override
	// Data is merged into data last (--data-file).
	Data map[string]any
}

// BuildEvent builds the body of one event: the contract's example with a
// call ID, data.event_key = <call.id>:<event>, created_at and overrides.
// The result is not validated: an override may break the contract on
// purpose, to see what a receiver does with it (Spec.Validate tells).
func BuildEvent(s *spec.Spec, event string, o EventOptions) ([]byte, error) {
	if o.CallID == "" {
		o.CallID = NewCallID()
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now()
	}
	body, err := s.Payload(event, spec.PayloadOptions{CallID: o.CallID, CreatedAt: o.CreatedAt, Set: o.Set, Data: o.Data})
	if err != nil {
		return nil, invalidError{err} // already names the event or override
	}
	return body, nil
}

// invalidError marks a library error as bad input (ErrInvalid) without
// adding words to its message.
type invalidError struct{ error }

func (e invalidError) Is(target error) bool { return target == ErrInvalid }
func (e invalidError) Unwrap() error        { return e.error }

// NewCallID returns a fresh call ID in MiniVoice's style, call_<hex>.
func NewCallID() string { return newID("call") }

// newID returns prefix_<16 random hex digits>: unique without coordination
// across processes and restarts.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + "_" + hex.EncodeToString(b[:])
}
