// Package loadgen is the engine of `mvh load`: it sends a sustained stream
// of signed MiniVoice deliveries (duplicates, concurrent copies and
// reordered events included) at a constant arrival rate or as fast as a
// fixed set of workers can, measures latency with an HDR histogram, and
// keeps the keys it sent and got acknowledged so the receiver's business
// records can be accounted for in the outcome words. Like vegeta's lib
// apart from its cmd, it knows no flags or terminals: cmd/mvh wires those.
package loadgen

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/redelivery"
)

// ErrOptions is wrapped by every Options validation error.
var ErrOptions = errors.New("load options")

// Max is the Rate of the closed model: each worker sends its next delivery
// as soon as the last one was answered.
const Max = 0

// Options describe one load run against one receiver.
type Options struct {
	// URL is the receiver's webhook URL; Secret signs every copy afresh.
	URL, Secret string
	// Rate is deliveries per second (open model; latency is measured from
	// each delivery's intended send time), or Max (closed model).
	Rate int
	// Workers is the closed model's worker count, and the open model's
	// bound on deliveries in flight.
	Workers int
	// Duration is how long deliveries are started for.
	Duration time.Duration
	// Events is the mix of event names each call gets, in order.
	Events []string
	// DupRatio is the chance that a delivery is repeated (same bytes,
	// signed again): 0.2 sends 20 % of the events twice.
	DupRatio float64
	// ConcurrentDups sends half of the copies at the same moment as their
	// original; the others follow later.
	ConcurrentDups bool
	// OutOfOrder sends each call's events in reverse order.
	OutOfOrder bool
	// Body builds the payload of event for callID (bytes sent exactly).
	Body func(event, callID string) ([]byte, error)
	// CallPrefix starts every call ID, so several hosts never share keys;
	// empty picks a random one.
	CallPrefix string
	// AttemptTimeout bounds one exchange (the contract's attempt timeout).
	AttemptTimeout time.Duration
	// Redelivery says when shed deliveries go again; the zero policy
	// retries once, at once (bounded by Retry-After up to its MaxWait).
	Redelivery redelivery.Policy
	// Client sends; nil makes delivery.NewClient's, with keep-alive
	// connections for every worker.
	Client *http.Client
	// Seed fixes the plan's choices (which events repeat); 0 picks one.
	Seed uint64
	// Progress, when set, is called about once a second with the tally so
	// far, from one goroutine.
	Progress func(Progress)
}

// Progress is a run's state while it goes.
type Progress struct {
	Elapsed, Duration time.Duration
	Sent, Answered    int
	Status2xx, Failed int
}

// DefaultWorkers is the worker count when none is given.
const DefaultWorkers = 64

// Validate names the first option that cannot work; the URL is checked
// by Run, since a harness only knows it once the receiver is up.
func (o Options) Validate() error {
	switch {
	case o.Rate < 0:
		return fmt.Errorf("%w: --rate %d: want a positive rate or max", ErrOptions, o.Rate)
	case o.Workers < 0:
		return fmt.Errorf("%w: --workers %d: want 1 or more", ErrOptions, o.Workers)
	case o.Duration <= 0:
		return fmt.Errorf("%w: --duration %s: want more than 0", ErrOptions, o.Duration)
	case len(o.Events) == 0:
		return fmt.Errorf("%w: --events: want at least one event", ErrOptions)
	case o.DupRatio < 0 || o.DupRatio > 1:
		return fmt.Errorf("%w: --dup-ratio %g: want 0 to 1", ErrOptions, o.DupRatio)
	case o.Body == nil:
		return fmt.Errorf("%w: no body builder", ErrOptions)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client, _ = delivery.NewClient(delivery.ClientOptions{Conns: min(o.Workers, 1024)}) // no TLS options: cannot fail
	}
	return o
}
