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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// The test binary doubles as a correct receiver variant when started with
// MVH_VARIANT set (by mvh conform --cmd, from TestMatrix): the reference
// receiver runs in-process behind a proxy that changes one thing a correct
// receiver may do differently, so each row proves the catalogue does not
// over-fit to the reference. They stand in until receivers/ has its own.
//
//	MVH_VARIANT        shed | rate-limit | no-body | close | slow-forward | get-404 | forget
//	MVH_VARIANT_LIMIT  in-flight limit of shed and forget, deliveries per
//	                   second of rate-limit (default 4)
//	MVH_VARIANT_DELAY  per-record delay of slow-forward (default 100ms)
//
// forget is the defect of that family: above the limit it answers 204
// and drops the delivery, the overflow bug of an in-memory queue. The
// reference keeps its events in $MVH_STATE_DIR when the harness sets it,
// so the variants survive a restart like a real receiver.
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
	limit, delay := int64(4), 100*time.Millisecond
	if v, err := strconv.Atoi(os.Getenv("MVH_VARIANT_LIMIT")); err == nil {
		limit = int64(v)
	}
	if d, err := time.ParseDuration(os.Getenv("MVH_VARIANT_DELAY")); err == nil {
		delay = d
	}
	downstream := os.Getenv("DOWNSTREAM_URL")
	if mode == "slow-forward" {
		slow, err := listen(ctx, oneAtATime(downstream, delay))
		if err != nil {
			return err
		}
		downstream = slow
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	refAddr := ln.Addr().String()
	ln.Close()
	args := []string{"--addr", refAddr, "--secret", os.Getenv("MVH_SECRET"), "--downstream", downstream}
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
	srv.SetKeepAlivesEnabled(mode != "close")
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
	var inFlight atomic.Int64
	switch mode {
	case "get-404":
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				http.NotFound(w, r)
				return
			}
			proxy.ServeHTTP(w, r)
		}), nil
	case "no-body":
		proxy.ModifyResponse = func(r *http.Response) error {
			if r.StatusCode/100 == 2 {
				r.StatusCode, r.Status, r.Body, r.ContentLength = http.StatusNoContent, "204 No Content", http.NoBody, 0
				r.Header.Del("Content-Type")
				r.Header.Del("Content-Length")
			}
			return nil
		}
	case "shed", "forget":
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer inFlight.Add(-1)
			switch {
			case inFlight.Add(1) <= limit:
				proxy.ServeHTTP(w, r)
			case mode == "forget":
				w.WriteHeader(http.StatusNoContent)
			default:
				tooMany(w, "too many deliveries in flight")
			}
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
	return proxy, nil
}

// tooMany sheds a delivery: 429 with Retry-After, as a gateway does.
func tooMany(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = io.WriteString(w, `{"ok":false,"error":"busy: `+why+`"}`+"\n")
}

// oneAtATime forwards each record to the sink after delay, one at a time,
// like a worker feeding a slow CRM.
func oneAtATime(sink string, delay time.Duration) http.Handler {
	var mu sync.Mutex
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, sink, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

// listen serves h on a free loopback port until ctx ends and returns its URL.
func listen(ctx context.Context, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/records", nil
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
