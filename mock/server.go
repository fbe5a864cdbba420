package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds how long a stopping server waits for requests in
// flight; control requests and inbox deliveries take milliseconds.
const shutdownGrace = 5 * time.Second

// Serve answers on ln until ctx ends, then shuts down gracefully. The
// listener is the caller's so it can bind first and report a busy port as
// bad input before anything else starts.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return serveUntil(ctx, ln, s, s.cfg.Logger)
}

// Serve answers deliveries on ln until ctx ends.
func (in *Inbox) Serve(ctx context.Context, ln net.Listener) error {
	return serveUntil(ctx, ln, in, in.cfg.Logger)
}

// serveUntil serves h on ln until ctx ends or serving fails; either way the
// shutdown goroutine ends with it.
func serveUntil(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("shutdown %s: %w", ln.Addr(), err)
	}
	return nil
}

// IsLoopback reports whether addr binds only the local machine; serving
// beyond it without a token would let anyone on the network send as MiniVoice.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
