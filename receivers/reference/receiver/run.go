// Package receiver is the reference MiniVoice webhook receiver, importable
// so that mvh can run it in-process for `mvh conform --demo` and so that
// receivers/faulty can reuse its plumbing while replacing one step; the
// command in the parent directory is a thin main around Run. See that
// command's doc for what it does per delivery.
package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// shutdownGrace bounds how long in-flight deliveries may take to finish on
// shutdown; MiniVoice redelivers whatever was cut off.
const shutdownGrace = 10 * time.Second

// Main runs run, a receiver's main without process globals, as the
// process: it stops on SIGINT or SIGTERM and exits with run's status.
func Main(run func(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// Run is the receiver's main without process globals: it parses args (and
// the environment through getenv), serves until ctx ends and returns the
// exit status.
func Run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if err == nil && cfg.DumpRecords {
		// Records are the command's output: standard output, as for any
		// command-line dump, whoever embeds Run.
		return dump(ctx, cfg.DB, os.Stdout, stderr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return Exit("reference", err, stderr, logger, func() error { return Serve(ctx, cfg, logger, Options{}) })
}

// Exit turns a command's configuration error and then the outcome of serve
// into its exit status: 0 after -h or a clean shutdown, 2 with one line on
// stderr for bad flags or an unusable --db or --addr, 1 when serving fails.
func Exit(name string, cfgErr error, stderr io.Writer, logger *slog.Logger, serve func() error) int {
	if errors.Is(cfgErr, ErrHelp) {
		return 0
	}
	if cfgErr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, cfgErr)
		return 2
	}
	err := serve()
	var se startError
	switch {
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	case err != nil:
		logger.Error("receiver stopped", "error", err)
		return 1
	}
	return 0
}

// dump is --dump-records: exit 0 after printing, 2 when --db cannot be read.
func dump(ctx context.Context, db string, stdout, stderr io.Writer) int {
	if err := dumpRecords(ctx, db, stdout); err != nil {
		fmt.Fprintf(stderr, "reference: %v\n", err)
		return 2
	}
	return 0
}

// startError is a failure before the receiver serves: an unusable --db or
// --addr is bad configuration, reported in one line with exit 2 like a bad
// flag.
type startError struct{ err error }

func (e startError) Error() string { return e.err.Error() }
func (e startError) Unwrap() error { return e.err }

// Options change how Serve assembles the receiver; the zero value is the
// reference itself. receivers/faulty uses them to break one step at a time.
type Options struct {
	// Steps, when set, may replace steps after the defaults are in place;
	// ctx ends when the receiver stops forwarding, st is the store.
	Steps func(ctx context.Context, st Store, s *Steps)
	// Unique, when set, replaces the columns stored events are unique on
	// ("call_id, event"); NoKey stores every delivery as a new event.
	Unique string
	// Handler, when set, wraps the whole HTTP handler.
	Handler func(http.Handler) http.Handler
	// NoOutbox stores events without an outbox and runs no forwarder: a
	// Steps replacement forwards on its own, with the Forward step.
	NoOutbox bool
}

// NoKey is Options.Unique for a store that keeps every delivery.
const NoKey = "none"

// Serve runs the receiver until ctx ends, then shuts down gracefully:
// in-flight deliveries finish, then the forwarder stops, then the store closes.
func Serve(ctx context.Context, cfg Config, logger *slog.Logger, opts Options) error {
	unique := eventKey
	switch opts.Unique {
	case "":
	case NoKey:
		unique = ""
	default:
		unique = opts.Unique
	}
	outbox := cfg.Downstream != "" && !opts.NoOutbox
	st, err := openStore(ctx, cfg.DB, outbox, unique)
	if err != nil {
		return startError{err}
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return startError{fmt.Errorf("listen %s: %w", cfg.Addr, err)}
	}
	fwdCtx, stopForwarder := context.WithCancel(context.WithoutCancel(ctx))
	defer stopForwarder()
	var fw *forwarder
	steps := defaultSteps(cfg, st, func() {
		if fw != nil {
			fw.Notify()
		}
	})
	if opts.Steps != nil {
		opts.Steps(fwdCtx, st, &steps)
	}
	handler := routes(cfg.Path, &receiver{steps: steps, logger: logger})
	if opts.Handler != nil {
		handler = opts.Handler(handler)
	}
	fwdDone := make(chan struct{})
	if outbox {
		fw = newForwarder(st, steps.Forward, logger)
		go func() { defer close(fwdDone); fw.Run(fwdCtx) }()
	} else {
		close(fwdDone)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "path", cfg.Path, "db", redactDSN(cfg.DB),
		"forwarding", cfg.Downstream != "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopForwarder()
	<-fwdDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// defaultSteps are the reference's own steps over st; notify wakes the
// forwarder after a new event.
func defaultSteps(cfg Config, st Store, notify func()) Steps {
	verifier := signature.NewVerifier(cfg.Secrets...)
	s := Steps{
		Read:   readBody,
		Verify: verifier.VerifyRequest,
		Parse:  parseEnvelope,
		Store: func(ctx context.Context, env Envelope, body []byte) (bool, error) {
			isNew, err := st.Save(ctx, env.Call.ID, env.Event, body, time.Now())
			if isNew && cfg.Downstream != "" {
				notify()
			}
			return isNew, err
		},
		Answer: answer,
	}
	if cfg.Downstream != "" {
		s.Forward = newPoster(cfg.Downstream).Post
	}
	return s
}

// routes maps the webhook path (POST only: the mux answers 405 with an Allow
// header for other methods) and a health check for orchestrators.
func routes(path string, rc *receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+path, rc)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		Reply(w, http.StatusOK, "")
	})
	return mux
}
