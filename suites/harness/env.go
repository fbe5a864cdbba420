package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/minivoice/mvh/delivery"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/sink"
	"github.com/minivoice/mvh/suites/target"
)

// ContainerSpec is what --image / --dockerfile ask for; package
// suites/container turns it into a target.
type ContainerSpec struct {
	Image, Dockerfile string
	Port              int
	Env               []string
	Path              string
	ReadyTimeout      time.Duration
	Logger            *slog.Logger
}

// ContainerFactory builds container targets; nil means this build has no
// container support.
type ContainerFactory func(ContainerSpec) target.Target

// Env is what the harness set up for one run: the receiver and how to sign
// for it and observe it. Checks reach it through their Case.
type Env struct {
	Target   target.Target
	Receiver *target.Receiver
	// Secret signs valid deliveries; it never enters evidence.
	Secret string
	// Sink is the harness's downstream, nil when the receiver has none.
	Sink *sink.Sink
	// Observer counts business records, nil without observation.
	Observer observe.Observer
	Client   *http.Client
}

// Target picks the target the flags name.
func (c Config) Target(containers ContainerFactory, log *slog.Logger) (target.Target, error) {
	switch {
	case c.Cmd != "":
		return target.Command{Line: c.Cmd, Env: c.Env, URL: c.URL, Path: c.Path, ReadyTimeout: c.ReadyTimeout}, nil
	case c.Image != "" || c.Dockerfile != "":
		if containers == nil {
			return nil, fmt.Errorf("%w: --image and --dockerfile are not supported by this build", ErrConfig)
		}
		return containers(ContainerSpec{Image: c.Image, Dockerfile: c.Dockerfile, Port: c.ContainerPort,
			Env: c.Env, Path: c.Path, ReadyTimeout: c.ReadyTimeout, Logger: log}), nil
	case c.URL != "":
		return target.URL{URL: c.URL, ReadyTimeout: c.ReadyTimeout, RestartCmd: c.RestartCmd, CrashCmd: c.CrashCmd}, nil
	}
	return nil, fmt.Errorf("%w: no target", ErrConfig)
}

// Setup starts the sink (when the receiver is handed {sink_url} or
// --sink-addr pins one) and the receiver. On error nothing is left running.
func Setup(ctx context.Context, cfg Config, containers ContainerFactory, log *slog.Logger) (*Env, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tgt, err := cfg.Target(containers, log)
	if err != nil {
		return nil, err
	}
	client, err := delivery.NewClient(delivery.ClientOptions{TLS: cfg.TLS})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	env := &Env{Target: tgt, Secret: cfg.Secret, Client: client}
	if env.Secret == "" {
		env.Secret = NewSecret()
	}
	if cfg.wantsSink() {
		if env.Sink, err = startSink(cfg, tgt, log); err != nil {
			return nil, err
		}
	}
	params := target.Params{Secret: env.Secret}
	if env.Sink != nil {
		params.SinkURL = env.Sink.URL()
	}
	if env.Receiver, err = tgt.Start(ctx, params); err != nil {
		_ = env.Close(context.Background())
		return nil, err
	}
	log.Debug("conformance environment ready", "target", tgt.String(), "url", env.Receiver.URL, "sink", params.SinkURL)
	return env, nil
}

// Close stops the receiver, then the sink.
func (e *Env) Close(ctx context.Context) error {
	errs := []error{e.closeObserver()}
	if e.Receiver != nil && e.Receiver.Stop != nil {
		errs = append(errs, e.Receiver.Stop(ctx))
	}
	if e.Sink != nil {
		errs = append(errs, e.Sink.Close(ctx))
	}
	e.Client.CloseIdleConnections()
	return errors.Join(errs...)
}

// wantsSink: a sink runs when --sink-addr pins it or a started receiver is
// given {sink_url}; otherwise nobody would forward to it.
func (c Config) wantsSink() bool {
	if c.NoSink {
		return false
	}
	if c.SinkAddr != "" || c.Image != "" || c.Dockerfile != "" {
		return true // container receivers get DOWNSTREAM_URL={sink_url} by default
	}
	if !c.Started() {
		return false
	}
	if target.Uses(c.Cmd, target.VarSinkURL) {
		return true
	}
	for _, kv := range c.Env {
		if target.Uses(kv, target.VarSinkURL) {
			return true
		}
	}
	return false
}

func startSink(cfg Config, tgt target.Target, log *slog.Logger) (*sink.Sink, error) {
	o := sink.Options{Addr: cfg.SinkAddr, Key: cfg.SinkKey, Logger: log}
	if placer, ok := tgt.(target.SinkPlacer); ok {
		bind, advertise := placer.SinkHosts()
		if o.Addr == "" {
			o.Addr = net.JoinHostPort(bind, "0")
		}
		o.AdvertiseHost = advertise
	}
	return sink.Start(o)
}

// NewSecret makes a fresh secret for a receiver the harness starts, so no
// run's secret is guessable or reused.
func NewSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_mvh_" + hex.EncodeToString(b)
}

// Checks is what the checks see of e (framework.Env).
func (e *Env) Checks() framework.Env { return checkEnv{e} }

// checkEnv narrows Env to framework.Env.
type checkEnv struct{ e *Env }

func (c checkEnv) URL() string                { return c.e.Receiver.WebhookURL() }
func (c checkEnv) Client() *http.Client       { return c.e.Client }
func (c checkEnv) Secret() string             { return c.e.Secret }
func (c checkEnv) Observer() observe.Observer { return c.e.Observer }
func (c checkEnv) Sink() *sink.Sink           { return c.e.Sink }

func (c checkEnv) Restart(ctx context.Context, m target.Mode) error {
	return c.e.Receiver.Restart(ctx, m)
}

// NoRestart says why the receiver cannot be restarted ("" when it can), so
// the checks that restart it skip before they deliver anything.
func (c checkEnv) NoRestart() string {
	if c.e.Receiver.Restarter != nil {
		return ""
	}
	if c.e.Receiver.NoRestart == "" {
		return "the target has no restart"
	}
	return c.e.Receiver.NoRestart
}
