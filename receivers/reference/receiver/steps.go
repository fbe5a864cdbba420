package receiver

import (
	"context"
	"encoding/json"
	"net/http"
)

// Steps are what the receiver does with one delivery, in order: read the
// body, verify its signature, parse it, store it, answer; and, after the
// answer, forward each stored event downstream. Serve fills them with the
// reference's own; receivers/faulty replaces one at a time to inject a
// defect, so that every other step stays the reference's.
type Steps struct {
	// Read returns the raw body; an *http.MaxBytesError means too large.
	Read func(w http.ResponseWriter, r *http.Request) ([]byte, error)
	// Verify checks the signature headers against the raw body.
	Verify func(h http.Header, body []byte) error
	// Parse decodes what the receiver routes and keys on.
	Parse func(body []byte) (Envelope, error)
	// Store keeps the event once by (call.id, event), queued for
	// forwarding, and reports whether it was new. It returns only once the
	// event is safe: the answer that follows tells MiniVoice to stop retrying.
	Store func(ctx context.Context, env Envelope, body []byte) (isNew bool, err error)
	// Answer writes the response that res describes.
	Answer func(w http.ResponseWriter, res Result)
	// Forward POSTs one record downstream; only a nil error counts as
	// forwarded, anything else is retried from the outbox.
	Forward func(ctx context.Context, rec Record) error
}

// Envelope is the part of a delivery the receiver depends on. Everything
// else is kept verbatim in the stored body, so new fields and new events
// from MiniVoice never break the receiver.
type Envelope struct {
	Event string `json:"event"`
	Call  struct {
		ID string `json:"id"`
	} `json:"call"`
}

// Key is the event's identity: one business record per key.
func (e Envelope) Key() string { return e.Call.ID + ":" + e.Event }

// Step names where a delivery stopped, for Result.
type Step string

// The steps a delivery can stop at; Accepted means it went through.
const (
	StepRead   Step = "read"
	StepVerify Step = "verify"
	StepParse  Step = "parse"
	StepStore  Step = "store"
	Accepted   Step = "accepted"
)

// Result is what became of one delivery: the step it reached, the status
// the reference answers with, the message for the body of a refusal, the
// cause, and, once accepted, whether it was a redelivery of a stored event.
type Result struct {
	Step      Step
	Status    int
	Msg       string
	Err       error
	Envelope  Envelope
	Duplicate bool
}

// Record is what the downstream receives for each stored event: its key,
// and the envelope exactly as MiniVoice sent it.
type Record struct {
	EventKey string          `json:"event_key"`
	CallID   string          `json:"call_id"`
	Event    string          `json:"event"`
	Envelope json.RawMessage `json:"envelope"`
}
