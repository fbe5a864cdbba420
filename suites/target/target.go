// Package target is how the conformance suites reach a receiver: one already
// running at a URL, a local command the harness starts, or (package
// suites/container) a container image. The suites only see a Receiver.
package target

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrNotReady is returned when a started receiver exits or never listens.
var ErrNotReady = errors.New("receiver not ready")

// Params are what the harness hands a receiver it starts; they fill the
// {secret}, {sink_url}, {port}, {url} and {state_dir} placeholders of
// --cmd and --env.
type Params struct {
	// Secret is the webhook secret the receiver must verify with.
	Secret string
	// SinkURL is the downstream URL where the receiver forwards each business
	// record (observation through the harness's sink); empty without a sink.
	SinkURL string
}

// Receiver is a receiver the suites can deliver to.
type Receiver struct {
	// URL is the full webhook URL deliveries are POSTed to.
	URL string
	// Description says what was started, for reports ("command bin/reference", "image mvh/reference:dev").
	Description string
	// Logs returns what the receiver printed so far (stdout and stderr), for
	// the report's evidence; nil when the harness did not start it.
	Logs func() []byte
	// Stop ends the receiver and releases everything Start created; nil when
	// there is nothing to stop. It is safe to call more than once.
	Stop func(ctx context.Context) error
	// Restarter restarts the receiver for the crash checks; nil when the
	// target cannot (then NoRestart says why).
	Restarter Restarter
	// NoRestart explains a nil Restarter, for the skip reason.
	NoRestart string
	// Vars are the placeholder values of this start, the secret left out,
	// so that observers' DSNs and commands can say {port} or {state_dir}.
	Vars map[string]string
	// Exec runs argv (exec form, no shell) inside the receiver's container
	// and returns its standard output; nil for receivers that are not
	// containers.
	Exec func(ctx context.Context, argv []string) ([]byte, error)

	mu      sync.Mutex
	current string // URL after the latest restart; "" until one
}

// WebhookURL is where deliveries go now: URL, or what the latest Restart
// returned (a restarted container may publish another port).
func (r *Receiver) WebhookURL() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != "" {
		return r.current
	}
	return r.URL
}

// Restart stops the receiver the way m says and starts it again (see
// Restarter); without a Restarter it returns an error wrapping ErrNoRestart.
func (r *Receiver) Restart(ctx context.Context, m Mode) error {
	if r.Restarter == nil {
		why := r.NoRestart
		if why == "" {
			why = "the target has no restart"
		}
		return fmt.Errorf("%w: %s", ErrNoRestart, why)
	}
	url, err := r.Restarter.Restart(ctx, m)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.current = url
	r.mu.Unlock()
	return nil
}

// Target starts (or just points at) a receiver.
type Target interface {
	Start(ctx context.Context, p Params) (*Receiver, error)
	// String describes the target for reports and errors.
	String() string
}

// SinkPlacer is implemented by targets that cannot reach the harness on
// loopback (containers): the harness binds its sink on BindHost and builds
// SinkURL with AdvertiseHost instead of 127.0.0.1.
type SinkPlacer interface {
	SinkHosts() (bindHost, advertiseHost string)
}
