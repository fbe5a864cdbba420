package mock

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/minivoice/mvh/delivery"
)

// Enqueue commits one event for delivery (several with Chaos.Duplicate)
// and schedules it. When Enqueue returns the deliveries are durable: a crash
// right after loses nothing.
func (e *Engine) Enqueue(ctx context.Context, s Send) ([]Delivery, error) {
	if s.ApplicationID != "" {
		app, err := e.Application(ctx, s.ApplicationID)
		if err != nil {
			return nil, err
		}
		s = withApplication(s, app)
	}
	base, err := e.newRecord(s)
	if err != nil {
		return nil, err
	}
	recs := e.applyChaos(base, s.Chaos)
	if err := e.commit(ctx, recs); err != nil {
		return nil, err
	}
	return deliveriesOf(recs), nil
}

// withApplication fills what a send leaves empty from its application.
func withApplication(s Send, app Application) Send {
	if s.URL == "" {
		s.URL = app.WebhookURL
	}
	if s.Secrets == nil {
		s.Secrets = app.Secrets
	}
	if s.Schedule == nil {
		s.Schedule = app.Schedule
	}
	if s.Chaos == (Chaos{}) {
		s.Chaos = app.Chaos
	}
	return s
}

// newRecord checks a send and builds its pending delivery; the body is built
// from the contract when none is given.
func (e *Engine) newRecord(s Send) (record, error) {
	if err := delivery.CheckURL(s.URL); err != nil {
		return record{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	schedule, err := e.checkSchedule(s.Schedule)
	if err != nil {
		return record{}, err
	}
	if err := checkChaos(s.Chaos); err != nil {
		return record{}, err
	}
	if s.Delay < 0 {
		return record{}, fmt.Errorf("delay %s: %w: negative", s.Delay, ErrInvalid)
	}
	body := s.Body
	if len(body) == 0 {
		if s.CallID == "" {
			s.CallID = NewCallID()
		}
		body, err = BuildEvent(e.spec, s.Event, EventOptions{CallID: s.CallID, Set: s.Set, Data: s.Data})
		if err != nil {
			return record{}, err
		}
		if vs := e.spec.Validate(body); len(vs) > 0 {
			e.log.Warn("event breaks the contract", "event", s.Event, "violation", vs[0].String())
		}
	}
	now := time.Now().UTC()
	r := record{
		Delivery: Delivery{
			ID: newID("dlv"), ApplicationID: s.ApplicationID, URL: s.URL, Event: s.Event,
			CallID: s.CallID, Body: body, Status: StatusPending, CreatedAt: now,
		},
		secrets: s.Secrets, schedule: schedule, lostAck: s.Chaos.LostAck,
		origin: now.Add(s.Delay),
	}
	r.NextAttemptAt = e.nextAt(r, 0)
	return r, nil
}

// checkSchedule defaults an empty schedule to the contract's and rejects
// one that goes back in time.
func (e *Engine) checkSchedule(s []time.Duration) ([]time.Duration, error) {
	if len(s) == 0 {
		return e.policy.Schedule, nil
	}
	for i, d := range s {
		if d < 0 || (i > 0 && d < s[i-1]) {
			return nil, fmt.Errorf("retry schedule %v: %w: entry %d is negative or before entry %d", s, ErrInvalid, i, i-1)
		}
	}
	return s, nil
}

// commit inserts deliveries in one transaction (shared with concurrent
// callers', see groupCommit), then arms them.
func (e *Engine) commit(ctx context.Context, recs []record) error {
	if err := e.batches.commit(ctx, e, recs); err != nil {
		return err
	}
	for _, r := range recs {
		e.arm(r)
	}
	e.notify()
	return nil
}

// Resend starts a new attempt series for the event of delivery id: a new
// delivery with the same URL, secrets, schedule and body bytes, recording
// which delivery it re-sends. The original keeps its history untouched.
func (e *Engine) Resend(ctx context.Context, id string) (Delivery, error) {
	old, err := loadRecord(ctx, e.db, id)
	if err != nil {
		return Delivery{}, err
	}
	now := time.Now().UTC()
	r := record{
		Delivery: Delivery{
			ID: newID("dlv"), ApplicationID: old.ApplicationID, URL: old.URL, Event: old.Event,
			CallID: old.CallID, Body: old.Body, Status: StatusPending, CreatedAt: now,
			ResendOf: old.ID, Chaos: []string{"resend of " + old.ID},
		},
		secrets: old.secrets, schedule: old.schedule, origin: now,
	}
	r.NextAttemptAt = e.nextAt(r, 0)
	if err := e.commit(ctx, []record{r}); err != nil {
		return Delivery{}, err
	}
	return r.Delivery, nil
}

// release starts the sequential duplicates waiting for a finished delivery.
func (e *Engine) release(ctx context.Context, id string) {
	rs, err := queryRecords(ctx, e.db, `WHERE after_id=? AND status=? ORDER BY rowid`, id, StatusPending)
	if err != nil {
		e.log.Error("release duplicates", "after", id, "err", err)
		return
	}
	for _, r := range rs {
		if r, err = e.releaseOne(ctx, r); err != nil {
			e.log.Error("release duplicate", "id", r.ID, "err", err)
			continue
		}
		e.arm(r)
	}
}

// releaseOne starts a waiting duplicate's schedule now.
func (e *Engine) releaseOne(ctx context.Context, r record) (record, error) {
	r.origin = e.scheduleNow(r)
	r.NextAttemptAt = e.nextAt(r, 0)
	return r, updateRecord(ctx, e.db, r)
}

// Delivery returns one delivery with its attempts in order.
func (e *Engine) Delivery(ctx context.Context, id string) (Delivery, []Attempt, error) {
	r, err := loadRecord(ctx, e.db, id)
	if err != nil {
		return Delivery{}, nil, err
	}
	as, err := queryAttempts(ctx, e.db, id)
	if err != nil {
		return Delivery{}, nil, err
	}
	return r.Delivery, as, nil
}

// Deliveries lists deliveries matching f, oldest first.
func (e *Engine) Deliveries(ctx context.Context, f Filter) ([]Delivery, error) {
	where, args := filterClause(f)
	rs, err := queryRecords(ctx, e.db, where, args...)
	if err != nil {
		return nil, err
	}
	return deliveriesOf(rs), nil
}

// Wait blocks until every listed delivery is delivered or failed, or ctx
// ends, and returns their latest state either way, in the order given.
// Each wake-up re-reads only the deliveries still pending, so waiting for a
// burst of thousands stays cheap.
func (e *Engine) Wait(ctx context.Context, ids ...string) ([]Delivery, error) {
	tick := time.NewTicker(time.Second) // a safety net; changes normally wake us
	defer tick.Stop()
	latest := make(map[string]Delivery, len(ids))
	pending := slices.Clone(ids)
	slices.Sort(pending)
	pending = slices.Compact(pending) // Wait(a, a) is fine
	for {
		changed := e.changes()
		rs, err := e.records(ctx, pending)
		if err != nil {
			return nil, err
		}
		pending = pending[:0]
		for _, r := range rs {
			latest[r.ID] = r.Delivery
			if r.Status == StatusPending {
				pending = append(pending, r.ID)
			}
		}
		if len(pending) == 0 {
			return inOrder(latest, ids), nil
		}
		select {
		case <-ctx.Done():
			return inOrder(latest, ids), ctx.Err()
		case <-changed:
		case <-tick.C:
		}
	}
}

// records loads deliveries by ID, in chunks that keep SQLite's variable
// limit; a missing ID is ErrNotFound.
func (e *Engine) records(ctx context.Context, ids []string) ([]record, error) {
	const chunk = 500
	var out []record
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rs, err := queryRecords(ctx, e.db, `WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		if len(rs) != len(part) {
			return nil, fmt.Errorf("wait: %w: %d of %d deliveries", ErrNotFound, len(part)-len(rs), len(part))
		}
		out = append(out, rs...)
	}
	return out, nil
}

func inOrder(m map[string]Delivery, ids []string) []Delivery {
	out := make([]Delivery, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

func deliveriesOf(rs []record) []Delivery {
	out := make([]Delivery, len(rs))
	for i, r := range rs {
		out[i] = r.Delivery
	}
	return out
}
