// Command faulty is a MiniVoice webhook receiver with one deliberate,
// realistic bug, chosen with --defect NAME (env DEFECT). It exists to prove
// the conformance suites: each defect must fail the check written for it,
// and without a defect the receiver must pass everything, like
// receivers/reference. Every defect is deterministic, so a matrix test can
// assert the exact set of failing checks. README.md lists the defects.
//
// Usage:
//
//	faulty --secret whsec_... [--defect NAME] [--addr 127.0.0.1:8080]
//	       [--downstream URL] [--db PATH] [--path /webhooks/minivoice]
//
// Do not copy this receiver; copy receivers/reference.
package main

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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without process globals, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "faulty: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil)).With("defect", cfg.Defect)
	err = serve(ctx, cfg, logger)
	var se startError
	switch {
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "faulty: %v\n", err)
		return 2
	case err != nil:
		logger.Error("receiver stopped", "error", err)
		return 1
	}
	return 0
}

// startError is a failure before the receiver serves: an unusable --db or
// --addr is bad configuration, reported in one line with exit 2 like a bad
// flag.
type startError struct{ err error }

func (e startError) Error() string { return e.err.Error() }
func (e startError) Unwrap() error { return e.err }

// serve runs the receiver until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	st, err := openStore(ctx, cfg.DB, cfg.Defect)
	if err != nil {
		return startError{err}
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return startError{fmt.Errorf("listen %s: %w", cfg.Addr, err)}
	}
	rc := newReceiver(cfg, st, logger)
	if cfg.Downstream != "" {
		rc.forwarder = newForwarder(cfg.Downstream, logger)
		defer rc.forwarder.Close()
	}
	srv := &http.Server{
		Handler:           routes(cfg.Path, cfg.Defect, rc),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "path", cfg.Path, "forwarding", cfg.Downstream != "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// routes is the reference's routing, except that get-200 also answers GET on
// the webhook path.
func routes(path, defect string, rc *receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+path, rc)
	if defect == get200 {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusOK, "")
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, "")
	})
	return mux
}
