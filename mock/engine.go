// Package mock is a MiniVoice stand-in: it builds, signs and delivers webhook
// events the way MiniVoice does (at-least-once, retried on a schedule, each
// attempt signed afresh) from a durable outbox, and injects the duplicates,
// reorderings and lost acknowledgements that production eventually produces.
package mock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/minivoice/mvh/delivery"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/minivoice/mvh/spec"
)

// Engine delivers events the way MiniVoice does: every delivery is committed
// to the SQLite outbox before Enqueue returns, attempted by a bounded worker
// pool when the scheduler finds it due, and retried on its schedule until a
// 2xx or exhaustion. Methods are safe for concurrent use.
type Engine struct {
	spec      *spec.Spec
	cfg       Config
	log       *slog.Logger
	db        *sql.DB
	client    *http.Client
	policy    spec.RetryPolicy
	timeout   time.Duration
	scenarios map[string]Scenario
	timers    *timers
	pool      *pool
	batches   groupCommit

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	running bool
	stopped chan struct{} // closed when Run returns
	stop    context.CancelFunc
	closed  bool
}

// Open opens (or creates) the outbox named by cfg.DB and loads every pending
// delivery onto the schedule: those whose time passed go as soon as Run
// starts, the others at their scheduled times. It fails with ErrLocked when
// another process holds the outbox and ErrCorrupt when the file is not one.
func Open(ctx context.Context, s *spec.Spec, cfg Config) (*Engine, error) {
	if s == nil {
		return nil, errors.New("open engine: nil spec")
	}
	cfg.fill()
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	scenarios, err := Scenarios(s, cfg.ScenarioFiles...)
	if err != nil {
		return nil, err
	}
	client, err := delivery.NewClient(delivery.ClientOptions{Conns: cfg.PerEndpoint, TLS: cfg.TLS})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	db, err := openOutbox(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		spec: s, cfg: cfg, log: cfg.Logger, db: db, client: client,
		policy: s.Retry(), timeout: cfg.AttemptTimeout, scenarios: scenarios,
		timers: newTimers(), pool: newPool(cfg.PerEndpoint), changed: make(chan struct{}),
	}
	if e.timeout == 0 {
		e.timeout = e.policy.AttemptTimeout
	}
	if e.timeout <= 0 {
		e.timeout = 10 * time.Second
	}
	if err := e.resume(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox %s: %w", cfg.DB, err)
	}
	return e, nil
}

// resume arms every pending delivery. A sequential duplicate whose
// predecessor finished before a crash is released here.
func (e *Engine) resume(ctx context.Context) error {
	rs, err := queryRecords(ctx, e.db, `WHERE status=? ORDER BY rowid`, StatusPending)
	if err != nil {
		return err
	}
	armed := 0
	for _, r := range rs {
		if r.afterID != "" && r.NextAttemptAt.IsZero() {
			prev, err := loadRecord(ctx, e.db, r.afterID)
			if err == nil && prev.Status == StatusPending {
				continue // still waiting for its predecessor
			}
			if r, err = e.releaseOne(ctx, r); err != nil {
				return err
			}
		}
		e.arm(r)
		armed++
	}
	if armed > 0 {
		e.log.Info("resumed pending deliveries", "count", armed)
	}
	return nil
}

// Run schedules and attempts deliveries until ctx ends, then shuts down
// gracefully: it stops starting attempts, waits up to Config.ShutdownGrace
// for those in flight, and interrupts the rest, which are recorded as
// "interrupted" and stay pending. Nothing queued is lost: it is all in the
// outbox for the next Open. Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.running || e.closed {
		e.mu.Unlock()
		return errors.New("run engine: already running or closed")
	}
	ctx, stop := context.WithCancel(ctx)
	e.running, e.stop, e.stopped = true, stop, make(chan struct{})
	e.mu.Unlock()
	defer close(e.stopped)
	defer stop()

	hard, interrupt := context.WithCancel(context.WithoutCancel(ctx))
	defer interrupt()
	var wg sync.WaitGroup
	for range e.cfg.Workers {
		wg.Go(func() { e.worker(hard) })
	}
	wg.Go(func() { e.schedule(ctx) })
	<-ctx.Done()
	e.pool.close()
	e.drain(&wg, interrupt)
	return nil
}

// drain waits for in-flight attempts, interrupting them after the grace.
func (e *Engine) drain(wg *sync.WaitGroup, interrupt context.CancelFunc) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := e.cfg.ShutdownGrace
	if grace == 0 {
		grace = e.timeout
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		e.log.Warn("interrupting attempts still in flight", "grace", grace)
		interrupt()
		<-done
	}
}

// Close stops Run if it is running, waits for it, and closes the outbox.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	stop, stopped := e.stop, e.stopped
	e.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
	e.client.CloseIdleConnections()
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("close outbox %s: %w", e.cfg.DB, err)
	}
	return nil
}

// Spec is the contract the engine builds events from.
func (e *Engine) Spec() *spec.Spec { return e.spec }

// notify wakes everything waiting in Wait.
func (e *Engine) notify() {
	e.mu.Lock()
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// changes returns a channel closed at the next state change.
func (e *Engine) changes() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}
