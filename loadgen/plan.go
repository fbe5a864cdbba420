package loadgen

import (
	"container/heap"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"slices"

	"github.com/minivoice/mvh/spec"
)

// item is one copy of one event on its way out.
type item struct {
	key, event string
	body       []byte
	// repeat marks a copy of an event sent before.
	repeat bool
	// acked, shared by an event's original and copies (nil for an event
	// sent once), is set by the recorder once any of them got a 2xx.
	acked *bool
}

// plan lays out the stream: each call's events in turn (reversed with
// OutOfOrder), and for a DupRatio share of them a copy that either goes
// out together with its original or some deliveries later.
type plan struct {
	o      Options
	rng    *mrand.Rand
	prefix string
	calls  int
	queue  []item
	later  copies
	issued int
}

func newPlan(o Options) *plan {
	seed := o.Seed
	if seed == 0 {
		seed = mrand.Uint64()
	}
	prefix := o.CallPrefix
	if prefix == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		prefix = hex.EncodeToString(b)
	}
	return &plan{o: o, rng: mrand.New(mrand.NewPCG(seed, 15)), prefix: prefix}
}

// next returns the deliveries to start now: one, or an original and the
// copy that goes out with it.
func (p *plan) next() ([]item, error) {
	if len(p.later) > 0 && p.later[0].due <= p.issued {
		p.issued++
		return []item{heap.Pop(&p.later).(pending).d}, nil
	}
	if len(p.queue) == 0 {
		if err := p.newCall(); err != nil {
			return nil, err
		}
	}
	d := p.queue[0]
	p.queue = p.queue[1:]
	if p.o.DupRatio == 0 || p.rng.Float64() >= p.o.DupRatio {
		p.issued++
		return []item{d}, nil
	}
	d.acked = new(bool) // shared by the original and its copy
	c := d
	c.repeat = true
	out := []item{d}
	if p.o.ConcurrentDups && p.rng.IntN(2) == 0 {
		out = append(out, c)
	} else {
		heap.Push(&p.later, pending{due: p.issued + 8 + p.rng.IntN(p.lateSpan()), d: c})
	}
	p.issued += len(out)
	return out, nil
}

// lateSpan is how many deliveries a later copy may follow its original
// by: up to about a second of the open model's stream, or four rounds of
// the closed model's workers, so the original has usually been answered,
// as before a redelivery.
func (p *plan) lateSpan() int {
	if p.o.Rate != Max {
		return max(p.o.Rate, 8)
	}
	return 4*p.o.Workers + 8
}

// rest returns the copies still waiting, for the end of the run.
func (p *plan) rest() []item {
	out := make([]item, 0, len(p.later))
	for len(p.later) > 0 {
		out = append(out, heap.Pop(&p.later).(pending).d)
	}
	return out
}

// newCall queues every event of a fresh call ID.
func (p *plan) newCall() error {
	p.calls++
	id := fmt.Sprintf("call_mvh_%s_%d", p.prefix, p.calls)
	events := slices.Clone(p.o.Events)
	if p.o.OutOfOrder {
		slices.Reverse(events)
	}
	for _, ev := range events {
		body, err := p.o.Body(ev, id)
		if err != nil {
			return fmt.Errorf("payload of %s: %w", ev, err)
		}
		p.queue = append(p.queue, item{key: spec.EventKey(id, ev), event: ev, body: body})
	}
	return nil
}

// pending is a copy due once issued reaches due.
type pending struct {
	due int
	d   item
}

// copies is a min-heap of pending copies by due.
type copies []pending

func (c copies) Len() int           { return len(c) }
func (c copies) Less(i, j int) bool { return c[i].due < c[j].due }
func (c copies) Swap(i, j int)      { c[i], c[j] = c[j], c[i] }
func (c *copies) Push(x any)        { *c = append(*c, x.(pending)) }
func (c *copies) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}
