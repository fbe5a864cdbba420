package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/minivoice/mvh/delivery"
)

// Run sends the load o describes and returns what happened. It returns
// early, with what was measured so far, when ctx ends; copies still due at
// the end of Duration go out before Run returns, and so do the
// redeliveries of shed deliveries (see Shed).
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := delivery.CheckURL(o.URL); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	o = o.withDefaults()
	e := &engine{o: o, plan: newPlan(o), rec: newRecorder(o)}
	stop := e.progress()
	var err error
	if o.Rate == Max {
		err = e.closed(ctx)
	} else {
		err = e.open(ctx)
	}
	e.wg.Wait()
	stop()
	return e.rec.result(), err
}

// engine is one run in progress.
type engine struct {
	o    Options
	rec  *recorder
	wg   sync.WaitGroup
	mu   sync.Mutex // guards plan
	plan *plan
}

// next takes the plan's next deliveries.
func (e *engine) next() ([]item, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.plan.next()
}

// open is the open model: delivery i is due at start + i/Rate whatever
// the receiver does, and its latency counts from then, so a stalled
// receiver shows up in the latencies instead of slowing the sender down
// (no coordinated omission). At most Workers are in flight; when they all
// are, the pacer waits and the waiting shows in the latencies too.
func (e *engine) open(ctx context.Context) error {
	interval := time.Duration(float64(time.Second) / float64(e.o.Rate))
	slots := make(chan struct{}, e.o.Workers)
	start := time.Now()
	e.rec.begin(start)
	var t *time.Timer
	for i := 0; ; {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= e.o.Duration {
			break
		}
		if wait := time.Until(due); wait > 0 {
			if t == nil {
				t = time.NewTimer(wait)
			} else {
				t.Reset(wait)
			}
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		ds, err := e.next()
		if err != nil {
			return err
		}
		for _, d := range ds {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			e.goDeliver(ctx, d, due, slots)
		}
		i += len(ds)
	}
	e.rec.endSending()
	e.flush(ctx, slots)
	return nil
}

// closed is the closed model: Workers loops, each sending its next
// delivery once the last was answered; a concurrent copy goes out on a
// goroutine of its own beside the original.
func (e *engine) closed(ctx context.Context) error {
	start := time.Now()
	e.rec.begin(start)
	end := start.Add(e.o.Duration)
	// loop ends the workers on a plan error; deliveries in flight keep ctx
	loop, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var workers sync.WaitGroup
	for range e.o.Workers {
		workers.Go(func() {
			for loop.Err() == nil && time.Now().Before(end) {
				ds, err := e.next()
				if err != nil {
					cancel(err)
					return
				}
				if len(ds) == 2 {
					e.goDeliver(ctx, ds[1], time.Now(), nil)
				}
				e.deliver(ctx, ds[0], time.Now())
			}
		})
	}
	workers.Wait()
	e.rec.endSending()
	if err := context.Cause(loop); err != nil {
		return err
	}
	e.flush(ctx, make(chan struct{}, e.o.Workers))
	return nil
}

// flush sends the copies still due when sending ended.
func (e *engine) flush(ctx context.Context, slots chan struct{}) {
	e.mu.Lock()
	rest := e.plan.rest()
	e.mu.Unlock()
	for _, d := range rest {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		e.goDeliver(ctx, d, time.Now(), slots)
	}
}

// goDeliver delivers d on its own goroutine, releasing a slot when done.
func (e *engine) goDeliver(ctx context.Context, d item, due time.Time, slots chan struct{}) {
	e.wg.Go(func() {
		if slots != nil {
			defer func() { <-slots }()
		}
		e.deliver(ctx, d, due)
	})
}

// progress calls Options.Progress once a second until stopped.
func (e *engine) progress() (stop func()) {
	if e.o.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				e.o.Progress(e.rec.progress())
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		e.o.Progress(e.rec.progress())
	}
}
