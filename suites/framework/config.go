package framework

import (
	"errors"
	"time"

	"github.com/minivoice/mvh/outcome"
)

// Defaults of the knobs that give checks their meaning; package harness
// binds them to flags.
const (
	DefaultSettle         = 5 * time.Second
	DefaultSettleMax      = time.Minute
	DefaultAckBudget      = time.Second
	DefaultBurst          = 500
	DefaultSlowDownstream = 3 * time.Second
	// DefaultCases keeps input.generated near 2 s on the reference.
	DefaultCases = 24
)

// Config is what the checks read of a run's configuration: the knobs
// that give them their meaning. The harness fills it from its flags.
type Config struct {
	// Settle is how long a receiver may go without a new record before a
	// check stops waiting for records; SettleMax bounds a wait for records
	// that still arrive.
	Settle, SettleMax time.Duration
	// AckBudget is the p95 time to 2xx a receiver should stay within.
	AckBudget time.Duration
	// SlowDownstream is the sink's per-record delay in ack.slow-downstream.
	SlowDownstream time.Duration
	// Burst is how many deliveries load.burst sends.
	Burst int
	// Require fails, rather than skips, the checks that need observation
	// when there is none (--require-observation).
	Require bool
	// SinkKey is the JSON pointer the sink keys records by, for messages.
	SinkKey string
	// Seed makes input.generated's payloads (the harness picks one when
	// the flag says 0; the reports print it so a run can be repeated);
	// Cases is how many per event.
	Seed  int64
	Cases int
}

// Window is how long "no second record" is watched after the records and
// a later marker arrived: outcome.QuietWindow of Settle.
func (c Config) Window() time.Duration { return outcome.QuietWindow(c.Settle) }

// ErrNoObservation is the skip (or, with Require, failure) reason of an
// observation check without an observer.
var ErrNoObservation = errors.New("no observation")
