package matrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// The test binary doubles as a correct receiver variant when started with
// MVH_VARIANT set (by mvh conform --cmd, from TestMatrix): the reference
// receiver runs in-process behind a proxy that changes one thing a correct
// receiver may do differently. Only the differences receivers/faulty has
// no --variant for are played here (see variants in variants_test.go).
//
//	MVH_VARIANT        rate-limit | get-404
//	MVH_VARIANT_LIMIT  deliveries per second of rate-limit (default 20)
//
// The reference keeps its events in $MVH_STATE_DIR when the harness sets
// it, so the variants survive a restart like a real receiver.
func TestMain(m *testing.M) {
	if mode := os.Getenv("MVH_VARIANT"); mode != "" {
		if err := serveVariant(mode); err != nil {
			fmt.Fprintf(os.Stderr, "variant %s: %v\n", mode, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveVariant serves on 127.0.0.1:$PORT until SIGTERM, with the
// reference on another loopback port behind it.
func serveVariant(mode string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	limit := int64(20)
	if v, err := strconv.Atoi(os.Getenv("MVH_VARIANT_LIMIT")); err == nil {
		limit = int64(v)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	refAddr := ln.Addr().String()
	ln.Close()
	args := []string{"--addr", refAddr, "--secret", os.Getenv("MVH_SECRET"), "--downstream", os.Getenv("DOWNSTREAM_URL")}
	if dir := os.Getenv("MVH_STATE_DIR"); dir != "" { // durable, so a restarted variant keeps its events
		args = append(args, "--db", filepath.Join(dir, "variant.db"))
	}
	done := make(chan int, 1)
	go func() { done <- receiver.Run(ctx, args, func(string) string { return "" }, io.Discard) }()
	if err := awaitListening(ctx, refAddr, done); err != nil {
		return err
	}
	front, err := frontOf(mode, "http://"+refAddr, limit)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT"), Handler: front, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-done
	return nil
}

// frontOf is the proxy in front of the reference for mode.
func frontOf(mode, ref string, limit int64) (http.Handler, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}
	proxy.ErrorLog = log.New(io.Discard, "", 0) // a sender hanging up (idempotency.lost-ack) is not news
	switch mode {
	case "get-404":
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				http.NotFound(w, r)
				return
			}
			proxy.ServeHTTP(w, r)
		}), nil
	case "rate-limit":
		var mu sync.Mutex
		var second time.Time
		var n int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if now := time.Now(); now.Sub(second) >= time.Second {
				second, n = now, 0
			}
			n++
			over := n > limit
			mu.Unlock()
			if over {
				tooMany(w, "rate limit")
				return
			}
			proxy.ServeHTTP(w, r)
		}), nil
	}
	return nil, fmt.Errorf("MVH_VARIANT %q: unknown; valid: rate-limit, get-404", mode)
}

// tooMany sheds a delivery: 429 with Retry-After, as a gateway does.
func tooMany(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = io.WriteString(w, `{"ok":false,"error":"busy: `+why+`"}`+"\n")
}

// awaitListening polls addr until it accepts connections, the reference
// exits, or 10 s pass.
func awaitListening(ctx context.Context, addr string, done <-chan int) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case code := <-done:
			return fmt.Errorf("reference exited with %d", code)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("reference on %s not listening after 10s", addr)
}
