package mock

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// pool hands due attempts to a bounded set of workers while holding at most
// limit attempts in flight per endpoint. An attempt whose endpoint is full
// waits in that endpoint's queue (memory, not a goroutine), so a slow
// receiver never occupies workers that other endpoints could use.
type pool struct {
	mu       sync.Mutex
	cond     *sync.Cond
	limit    int
	ready    []due            // hold an endpoint slot, wait for a worker
	blocked  map[string][]due // wait for a slot of their endpoint
	inflight map[string]int   // slots taken per endpoint
	closed   bool
}

func newPool(limit int) *pool {
	p := &pool{limit: limit, blocked: map[string][]due{}, inflight: map[string]int{}}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// submit queues a due attempt behind its endpoint's limit.
func (p *pool) submit(d due) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inflight[d.endpoint] < p.limit {
		p.inflight[d.endpoint]++
		p.ready = append(p.ready, d)
		p.cond.Signal()
		return
	}
	p.blocked[d.endpoint] = append(p.blocked[d.endpoint], d)
}

// next blocks until an attempt may start, or reports false once the pool is
// closed. Queued attempts are dropped on close: they are still pending in
// the outbox and resume on the next Open.
func (p *pool) next() (due, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.ready) == 0 && !p.closed {
		p.cond.Wait()
	}
	if p.closed {
		return due{}, false
	}
	d := p.ready[0]
	p.ready[0] = due{}
	p.ready = p.ready[1:]
	return d, true
}

// done frees the endpoint slot of a finished attempt, passing it to the next
// attempt waiting for that endpoint.
func (p *pool) done(endpoint string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if q := p.blocked[endpoint]; len(q) > 0 {
		p.ready = append(p.ready, q[0])
		if len(q) == 1 {
			delete(p.blocked, endpoint)
		} else {
			p.blocked[endpoint] = q[1:]
		}
		p.cond.Signal()
		return
	}
	if p.inflight[endpoint]--; p.inflight[endpoint] <= 0 {
		delete(p.inflight, endpoint)
	}
}

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
}

// worker runs attempts until the pool closes. hard ends only when shutdown
// gives up waiting, so an attempt in flight normally completes.
func (e *Engine) worker(hard context.Context) {
	for {
		d, ok := e.pool.next()
		if !ok {
			return
		}
		e.deliver(hard, d)
		e.pool.done(d.endpoint)
	}
}

// retryStore is how long a delivery waits when its state could not be read
// or its outcome saved; the attempt is repeated rather than lost.
const retryStore = time.Second

// deliver makes one attempt of a delivery, records it and schedules what
// follows: the next attempt, or the release of a waiting duplicate.
func (e *Engine) deliver(hard context.Context, d due) {
	ctx := context.WithoutCancel(hard) // bookkeeping outlives shutdown
	r, err := loadRecord(ctx, e.db, d.id)
	if err != nil {
		e.log.Error("load delivery", "id", d.id, "err", err)
		if !errors.Is(err, ErrNotFound) {
			e.retryLater(d) // a passing storage error must not strand it until a restart
		}
		return
	}
	if r.Status != StatusPending || r.NextAttemptAt.IsZero() {
		return
	}
	if err := e.begin(ctx, &r); err != nil {
		e.log.Error("record attempt start", "id", r.ID, "err", err)
		e.retryLater(d)
		return
	}
	a := e.attempt(hard, r)
	e.advance(&r, &a)
	if err := e.save(ctx, r, a); err != nil {
		e.log.Error("record attempt", "id", r.ID, "n", a.N, "err", err)
		e.retryLater(d)
		return
	}
	e.log.Debug("attempt", "id", r.ID, "n", a.N, "status", a.Status, "class", a.ErrorClass,
		"latency", a.Latency, "delivery", r.Status)
	if r.Status == StatusPending {
		e.arm(r)
	} else {
		e.release(ctx, r.ID)
	}
	e.notify()
	if e.cfg.OnAttempt != nil {
		e.cfg.OnAttempt(r.Delivery, a)
	}
}

// retryLater puts d back on the heap retryStore from now, for a delivery
// whose state could not be read or saved.
func (e *Engine) retryLater(d due) {
	d.at = time.Now().Add(retryStore).UnixNano()
	e.timers.push(d)
}

// endpointOf is the per-endpoint limit's key: scheme, host and port.
func endpointOf(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
