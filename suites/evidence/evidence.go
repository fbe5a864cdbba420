// Package evidence is what a conformance check attaches to its spec report
// (as a Ginkgo report entry named EntryName): every request it sent, every
// answer, and the business records it saw. The suites write it; the
// reporters read it back from the report. It never holds a signing secret.
package evidence

import (
	"fmt"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/outcome"
)

// EntryName is the Ginkgo report entry that carries a check's Evidence.
const EntryName = "mvh.evidence"

// BodyLimit is how much of an answer body is kept.
const BodyLimit = 4 << 10

// Evidence is everything one check observed.
type Evidence struct {
	CheckID   string     `json:"check_id"`
	Exchanges []Exchange `json:"exchanges,omitempty"`
	Records   []Record   `json:"records,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
	// Timeline is what happened in order: deliveries, answers, crashes,
	// restarts and each attempt at a record the sink saw, for the checks
	// whose meaning is in the order (durability.*, downstream.*).
	Timeline []Moment `json:"timeline,omitempty"`
	// Outcome is the accounting of a check that sent many deliveries
	// (load.burst), in package outcome's words: the same object `mvh load`
	// reports, so a burst reads alike in both.
	Outcome *outcome.Tally `json:"outcome,omitempty"`
}

// Moment is one entry of a timeline.
type Moment struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
	// Headers are a record's request headers, when the moment is one.
	Headers map[string]string `json:"headers,omitempty"`
}

// Exchange is one request and its answer, or the error instead of one.
type Exchange struct {
	// Label says what the request was for ("stale timestamp", "copy 3 of 10").
	Label    string        `json:"label,omitempty"`
	Request  Request       `json:"request"`
	Response *Response     `json:"response,omitempty"`
	Error    string        `json:"error,omitempty"`
	Started  time.Time     `json:"started"`
	Latency  time.Duration `json:"latency_ns"`
	// Expect is the status class the check wanted ("2xx", "4xx").
	Expect string `json:"expect,omitempty"`
	// LostAck is true when the sender dropped the connection unread.
	LostAck bool `json:"lost_ack,omitempty"`
}

// Request is exactly what went on the wire. Body is the exact string that
// was sent (truncated to BodyLimit for oversized bodies, with BodySize the
// real length), so a reproduction can send it again.
type Request struct {
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	BodySize int               `json:"body_size"`
	// Truncated is true when Body (or SignedBody) was cut at BodyLimit.
	Truncated bool `json:"truncated,omitempty"`
	// SignedBody is the exact string the signature was computed over when
	// it is not Body (a body tampered with after signing); empty when the
	// sent bytes were the signed ones. A reproduction re-signs it, so the
	// receiver sees the same mismatch the check sent.
	SignedBody string `json:"signed_body,omitempty"`
	// Signed is how the signature headers were made, so a reproduction can
	// recreate them.
	Signed delivery.Signing `json:"signed,omitempty"`
}

// Response is the receiver's answer, its body cut at BodyLimit.
type Response struct {
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body"`
	Truncated bool              `json:"truncated,omitempty"`
}

// Record is how many business records the observer saw for one key.
type Record struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
	Want  string `json:"want,omitempty"` // "exactly 1", "0", "at least 1"
}

// String summarises the evidence. Ginkgo stores it as the report entry's
// representation, so machine reports carry a line instead of a second,
// unreadable copy of every exchange.
func (e Evidence) String() string {
	return fmt.Sprintf("evidence of %s: %d exchanges, %d record counts, %d notes",
		e.CheckID, len(e.Exchanges), len(e.Records), len(e.Notes))
}
