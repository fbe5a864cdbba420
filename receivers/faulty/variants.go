package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// Variant names. Each is a correct receiver that differs from the reference
// in a way the contract allows, switched on with --variant: they prove the
// catalogue does not over-fit to one receiver, so every check must pass them.
const (
	shed429         = "shed-429"
	noBody204       = "no-body-204"
	closeConnection = "close-connection"
	slowForward     = "slow-forward"
)

// shedLimit is how many deliveries shed-429 lets in flight at once (and
// lossy-queue works on at once).
const shedLimit = 12

// slots counts the deliveries in hand.
type slots struct{ n atomic.Int64 }

// take claims a slot when fewer than limit are taken; release frees it.
func (s *slots) take(limit int64) (release func(), ok bool) {
	if s.n.Add(1) > limit {
		s.n.Add(-1)
		return nil, false
	}
	return func() { s.n.Add(-1) }, true
}

// variant documents one correct difference from the reference.
type variant struct {
	Name string
	What string
}

// variants lists every variant.
func variants() []variant {
	return []variant{
		{shed429, fmt.Sprintf("answers 429 with `Retry-After: 1` to deliveries beyond %d in flight (backpressure; MiniVoice retries them)", shedLimit)},
		{noBody204, "answers 204 with no body instead of 200 `{\"ok\":true}`"},
		{closeConnection, "answers every request with `Connection: close`, so each delivery has a connection of its own"},
		{slowForward, "forwards one record at a time, each taking from 0 to `--forward-delay` (default 2 s; the same for a given key), like a slow CRM"},
	}
}

// checkVariant accepts "" (none) or a known name.
func checkVariant(name string) error {
	var names []string
	for _, v := range variants() {
		if v.Name == name || name == "" {
			return nil
		}
		names = append(names, v.Name)
	}
	return fmt.Errorf("variant %q: unknown; valid: %s", name, strings.Join(names, ", "))
}

// variantOptions assembles the reference receiver with variant name.
func variantOptions(cfg Config) receiver.Options {
	var opts receiver.Options
	switch cfg.Variant {
	case shed429:
		opts.Handler = func(next http.Handler) http.Handler { return shed(next, cfg.Path, shedLimit) }
	case closeConnection:
		opts.Handler = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close") // net/http closes after the answer
				next.ServeHTTP(w, r)
			})
		}
	case noBody204:
		opts.Steps = func(_ context.Context, _ receiver.Store, s *receiver.Steps) {
			ref := s.Answer
			s.Answer = func(w http.ResponseWriter, res receiver.Result) {
				if res.Status >= 300 {
					ref(w, res)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}
		}
	case slowForward:
		opts.Steps = func(ctx context.Context, _ receiver.Store, s *receiver.Steps) {
			if s.Forward != nil {
				s.Forward = oneAtATime(ctx, s.Forward, cfg.ForwardDelay)
			}
		}
	}
	return opts
}

// shed answers 429 with Retry-After to webhook deliveries beyond limit in
// flight, before reading them; everything else passes through.
func shed(next http.Handler, path string, limit int64) http.Handler {
	var busy slots
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			next.ServeHTTP(w, r)
			return
		}
		release, ok := busy.take(limit)
		if !ok {
			w.Header().Set("Retry-After", "1")
			receiver.Reply(w, http.StatusTooManyRequests, "busy: retry later")
			return
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

// oneAtATime forwards one record at a time, each after a delay of up to
// max derived from its key, so the same record is always as slow.
func oneAtATime(ctx context.Context, forward func(context.Context, receiver.Record) error, max time.Duration) func(context.Context, receiver.Record) error {
	var mu sync.Mutex
	return func(fctx context.Context, rec receiver.Record) error {
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-time.After(forwardDelay(rec.EventKey, max)):
		case <-fctx.Done():
			return fctx.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
		return forward(fctx, rec)
	}
}

// forwardDelay is slow-forward's delay for key, from 0 to max: spread
// evenly over keys, and always the same for one key.
func forwardDelay(key string, max time.Duration) time.Duration {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum64() % uint64(max+1))
}
