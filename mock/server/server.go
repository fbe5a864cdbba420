// Package server serves the mock's HTTP faces (the control API and the
// listen inbox) on a listener the caller bound, with the same timeouts and
// graceful shutdown, and says which addresses are safe to serve without a
// token.
package server

import (
	"context"
	"encoding/json"
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

// Serve answers h on ln until ctx ends or serving fails, then shuts down
// gracefully; either way the shutdown goroutine ends with it. The listener
// is the caller's so it can bind first and report a busy port as bad input
// before anything else starts.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := newHTTPServer(h, logger)
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
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

// WriteTimeout bounds one answer, a forwarded delivery's included: the
// inbox's forward client gives up after 10 s.
const WriteTimeout = 30 * time.Second

// newHTTPServer bounds every phase of a connection, so a client that
// trickles its request, never reads its answer or idles cannot hold a
// connection (and a goroutine) of the mock for ever.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
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

// Refusal is the body of every refusal, the shape MiniVoice itself uses.
type Refusal struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// WriteJSON answers v as indented JSON with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a message reads "Bearer <token>", not "\u003ctoken\u003e"
	_ = enc.Encode(v)
}
