// Package receiver is the reference MiniVoice webhook receiver, importable
// so that mvh can run it in-process for `mvh conform --demo`; the command in
// the parent directory is a thin main around Run. See that command's doc for
// what it does per delivery.
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
	"time"
)

// shutdownGrace bounds how long in-flight deliveries may take to finish on
// shutdown; MiniVoice redelivers whatever was cut off.
const shutdownGrace = 10 * time.Second

// Run is the receiver's main without process globals: it parses args (and
// the environment through getenv), serves until ctx ends and returns the
// exit status.
func Run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "reference: %v\n", err)
		return 2
	}
	if cfg.DumpRecords {
		// Records are the command's output: standard output, as for any
		// command-line dump, whoever embeds Run.
		return dump(ctx, cfg.DB, os.Stdout, stderr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	err = serve(ctx, cfg, logger)
	var se startError
	switch {
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "reference: %v\n", err)
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

// serve runs the receiver until ctx ends, then shuts down gracefully:
// in-flight deliveries finish, then the forwarder stops, then the store closes.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	st, err := openStore(ctx, cfg.DB, cfg.Downstream != "")
	if err != nil {
		return startError{err}
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return startError{fmt.Errorf("listen %s: %w", cfg.Addr, err)}
	}
	rc := &receiver{verifier: newVerifier(cfg.Secrets), store: st, logger: logger}
	fwdCtx, stopForwarder := context.WithCancel(context.WithoutCancel(ctx))
	fwdDone := make(chan struct{})
	if cfg.Downstream != "" {
		fw := newForwarder(st, cfg.Downstream, logger)
		rc.notify = fw.Notify
		go func() { defer close(fwdDone); fw.Run(fwdCtx) }()
	} else {
		close(fwdDone)
	}
	srv := &http.Server{
		Handler:           routes(cfg.Path, rc),
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

// routes maps the webhook path (POST only: the mux answers 405 with an Allow
// header for other methods) and a health check for orchestrators.
func routes(path string, rc *receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+path, rc)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, "")
	})
	return mux
}
