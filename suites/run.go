// Package suites runs the conformance catalogue against a receiver. The
// same Run serves `mvh conform` (one static binary, no Go toolchain),
// `go test ./suites -args ...` / `ginkgo run ./suites -- ...`, and the
// project's own tests. The checks live in one package per area
// (suites/ack, suites/signature, ...), written with suites/framework and
// listed in suites/catalogue.
package suites

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/extensions/globals"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/harness"
)

// Session describes what a run talked to, for the reports.
type Session struct {
	Target, ReceiverURL, SinkURL string
	// Observation is "sink", "inspect", "sql", "command" or "" (none:
	// observation checks were skipped, or failed with --require-observation).
	Observation string
	// Secret is the secret deliveries were signed with, handed out only so
	// that reports can scrub it.
	Secret string
	// Logs is what a receiver the harness started printed.
	Logs []byte
	// Seed is input.generated's seed: --seed, or the one the run picked.
	Seed int64
}

// Option adjusts a run.
type Option func(*options)

type options struct {
	spec       *spec.Spec
	logger     *slog.Logger
	containers harness.ContainerFactory
	openSQL    harness.SQLOpener
	onCheck    func(types.SpecReport)
	onStart    func(string)
	session    *Session
	ginkgoOut  io.Writer
}

// WithSpec runs against a contract other than the embedded one.
func WithSpec(s *spec.Spec) Option { return func(o *options) { o.spec = s } }

// WithLogger logs the harness's own steps.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithContainers replaces how --image and --dockerfile targets are made
// (by default with package suites/container).
func WithContainers(f harness.ContainerFactory) Option {
	return func(o *options) { o.containers = f }
}

// OnCheck is called as each check ends (not for checks left out).
func OnCheck(fn func(types.SpecReport)) Option { return func(o *options) { o.onCheck = fn } }

// OnStart is told what the run starts doing, so a terminal can show it
// while it lasts: "starting the receiver" (an image built, a container
// started, readiness waited for), then each check's ID as it starts, and
// "" once the receiver is up.
func OnStart(fn func(what string)) Option { return func(o *options) { o.onStart = fn } }

// WithSession fills s once the receiver is up, and its Logs at the end.
func WithSession(s *Session) Option { return func(o *options) { o.session = s } }

// WithGinkgoOutput sends Ginkgo's own console reporter to w; io.Discard
// silences it where reporters print instead (mvh conform).
func WithGinkgoOutput(w io.Writer) Option { return func(o *options) { o.ginkgoOut = w } }

// runMu serialises runs: Ginkgo's spec tree and console writer are
// process-wide, so two runs may follow each other but never overlap.
var runMu sync.Mutex

// Run validates cfg, starts the sink and receiver, runs the selected checks
// and stops everything again. The harness is set up outside Ginkgo, so a
// receiver that never gets ready is an error, not a failed check. The error
// is for runs that could not judge the receiver (bad configuration wrapping
// harness.ErrConfig, a receiver not ready wrapping target.ErrNotReady);
// the verdict is in the report (catalogue.Verdict). ctx bounds the setup;
// while checks run, Ginkgo's interrupt handling (SIGINT, SIGTERM) ends them
// early, and the receiver is stopped either way.
func Run(ctx context.Context, cfg harness.Config, opts ...Option) (types.Report, error) {
	o := apply(opts)
	cat, s, err := prepare(cfg, o)
	if err != nil {
		return types.Report{}, err
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Int64N(1<<31-1) + 1
	}
	o.started("starting the receiver")
	env, err := harness.Start(ctx, cfg, o.containers, o.openSQL, o.logger)
	o.started("")
	if err != nil {
		return types.Report{}, err
	}
	if o.session != nil {
		describe(o.session, env)
		o.session.Seed = cfg.Seed
	}
	rep, err := runSpecs(framework.New(cfg.Knobs(), s, cat, env.Checks()), cfg, o, false)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if cerr := env.Close(stopCtx); cerr != nil {
		o.logger.Warn("stop receiver", "err", cerr)
	}
	if o.session != nil && env.Receiver.Logs != nil {
		o.session.Logs = env.Receiver.Logs()
	}
	return rep, err
}

// Preview registers the spec tree without a receiver and returns Ginkgo's
// preview report and how many specs each check ID got: what the agreement
// test compares with the catalogue.
func Preview(cfg harness.Config, opts ...Option) (types.Report, map[string]int, error) {
	o := apply(opts)
	cat, s, err := prepare(cfg, o)
	if err != nil {
		return types.Report{}, nil, err
	}
	f := framework.New(cfg.Knobs(), s, cat, nil)
	rep, err := runSpecs(f, cfg, o, true)
	return rep, f.Registered(), err
}

func (o options) started(what string) {
	if o.onStart != nil {
		o.onStart(what)
	}
}

func apply(opts []Option) options {
	o := options{logger: slog.New(slog.DiscardHandler), containers: harness.ContainerTarget, openSQL: harness.OpenSQL}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// prepare reads the catalogue and the contract and validates cfg against them.
func prepare(cfg harness.Config, o options) (catalogue.Catalogue, *spec.Spec, error) {
	cat, err := catalogue.Load()
	if err != nil {
		return cat, nil, err
	}
	if err := cfg.Validate(cat); err != nil {
		return cat, nil, err
	}
	s := o.spec
	if s == nil {
		if s, err = spec.Default(); err != nil {
			return cat, nil, err
		}
	}
	return cat, s, nil
}

func describe(s *Session, env *harness.Env) {
	s.Target, s.ReceiverURL, s.Secret = env.Receiver.Description, env.Receiver.URL, env.Secret
	if env.Sink != nil {
		s.SinkURL = env.Sink.URL()
	}
	if env.Observer != nil {
		s.Observation = env.Observer.Kind()
	}
}

// userConfig is Ginkgo's configuration as the process started with it
// (the -ginkgo.* flags of `go test ./suites`), read once before the first
// run: RunSpecs stores the configuration it is given in Ginkgo's globals,
// so reading them again would stack one run's --only filter and timeout
// on the next run's in the same process, and that run would select
// nothing.
var userConfig = sync.OnceValues(ginkgo.GinkgoConfiguration)

// runSpecs resets Ginkgo's global suite, registers the tree for f and runs
// (or previews) it with the configuration the flags translate to.
func runSpecs(f *framework.Framework, cfg harness.Config, o options, preview bool) (types.Report, error) {
	runMu.Lock()
	defer runMu.Unlock()
	globals.Reset()
	var rep types.Report
	register(f, o.onStart, o.onCheck, func(r types.Report) { rep = r })
	sc, rc := userConfig()
	if sc.ParallelTotal > 1 {
		return rep, fmt.Errorf("%w: ginkgo -p: the checks share one receiver and run serially", harness.ErrConfig)
	}
	sc.LabelFilter = and(sc.LabelFilter, cfg.LabelFilter())
	sc.RandomizeAllSpecs, sc.FailFast, sc.FailOnPending, sc.FailOnEmpty = false, false, false, false
	if o.ginkgoOut != nil {
		saved := formatter.ColorableStdOut
		formatter.ColorableStdOut = o.ginkgoOut
		defer func() { formatter.ColorableStdOut = saved }()
		rc.Succinct, rc.Verbose, rc.VeryVerbose = true, false, false
	}
	if preview {
		rep = ginkgo.PreviewSpecs(Description, sc, rc)
	} else {
		sc.Timeout = cfg.Timeout // Ginkgo interrupts the running check, skips the rest
		ginkgo.RunSpecs(failRecorder{}, Description, sc, rc)
	}
	// The tree is built inside RunSpecs, so only now are the specs known.
	return rep, agreement(f.Cat, f.Registered())
}

// failRecorder is the GinkgoTestingT of a run: a failing check is a verdict
// read from the report, not a Go test failure.
type failRecorder struct{}

func (failRecorder) Fail() {}

// and joins two label filters.
func and(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return "(" + a + ") && (" + b + ")"
}
