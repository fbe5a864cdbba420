package loadgen

import (
	"bytes"
	"fmt"
	"time"

	"github.com/minivoice/mvh/spec"
)

// placeholder stands for the call ID in a body template; it is what
// spec.Payload would write for it, so a substitution yields the same
// bytes as building the payload afresh.
const placeholder = "call_mvhLOADTEMPLATE0"

// Bodies returns a body builder for events: each event's payload is built
// once from the contract (created at created) and only the call ID is
// substituted per delivery, so a fast receiver measures the receiver and
// not JSON encoding.
func Bodies(s *spec.Spec, events []string, created time.Time) (func(event, callID string) ([]byte, error), error) {
	templates := make(map[string][]byte, len(events))
	for _, ev := range events {
		b, err := s.Payload(ev, spec.PayloadOptions{CallID: placeholder, CreatedAt: created})
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", ev, err)
		}
		templates[ev] = b
	}
	return func(event, callID string) ([]byte, error) {
		t, ok := templates[event]
		if !ok {
			return nil, fmt.Errorf("event %s: not in the mix", event)
		}
		return bytes.ReplaceAll(t, []byte(placeholder), []byte(callID)), nil
	}, nil
}
