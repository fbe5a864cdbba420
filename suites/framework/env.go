package framework

import (
	"context"
	"net/http"

	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/sink"
	"github.com/minivoice/mvh/suites/target"
)

// Env is all a check reaches of the harness that set the run up: where
// and how to deliver, what to sign with, how to see the receiver's
// records, and the receiver's restart. Package harness implements it;
// a check never sees targets, containers or flags.
type Env interface {
	// URL is where deliveries go now (a restart may move it).
	URL() string
	// Client sends deliveries: no proxy, no redirects followed.
	Client() *http.Client
	// Secret signs valid deliveries; it never enters evidence.
	Secret() string
	// Observer counts business records; nil without observation.
	Observer() observe.Observer
	// Sink is the harness's downstream; nil when the receiver has none.
	Sink() *sink.Sink
	// Restart stops the receiver the way m says and starts it again with
	// the same configuration; an error wrapping target.ErrNoRestart means
	// this target cannot, and a check that needs it skips.
	Restart(ctx context.Context, m target.Mode) error
}
