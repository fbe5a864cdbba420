package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/minivoice/mvh/spec"
)

// EnqueueCall creates a call that plays a scenario to app: one delivery per
// event (more with duplicates), all with one fresh call ID, each due at its
// step's delay after the call starts and created_at set to that moment. app
// need not be stored: `mvh send --scenario` passes an ad-hoc one with only
// WebhookURL, Secrets, Schedule and Chaos. With Chaos.OutOfOrder the events
// are shuffled across the steps' delays; created_at keeps the true order.
func (e *Engine) EnqueueCall(ctx context.Context, app Application, c CallRequest) (Call, []Delivery, error) {
	if app.ID != "" && app.WebhookURL == "" {
		stored, err := e.Application(ctx, app.ID)
		if err != nil {
			return Call{}, nil, err
		}
		app = stored
	}
	sc, ok := e.scenarios[c.Scenario]
	if !ok {
		return Call{}, nil, fmt.Errorf("scenario %q: %w (known: %v)", c.Scenario, ErrUnknownScenario, scenarioNames(e.scenarios))
	}
	call := Call{
		ID: NewCallID(), ApplicationID: app.ID, Scenario: sc.Name, Direction: sc.Direction,
		From: c.From, To: c.To, CreatedAt: time.Now().UTC(),
	}
	if c.Direction != "" {
		call.Direction = c.Direction
	}
	recs, err := e.callRecords(app, call, sc, c.Set)
	if err != nil {
		return Call{}, nil, err
	}
	if err := e.commit(ctx, recs); err != nil {
		return Call{}, nil, err
	}
	for _, st := range sc.Steps {
		call.Events = append(call.Events, st.Event)
	}
	return call, deliveriesOf(recs), nil
}

// callRecords builds the deliveries of a call, applying the application's
// chaos to each event.
func (e *Engine) callRecords(app Application, call Call, sc Scenario, set []spec.Override) ([]record, error) {
	slots := make([]int, len(sc.Steps))
	for i := range slots {
		slots[i] = i
	}
	if app.Chaos.OutOfOrder {
		slots = shuffleOrder(len(sc.Steps))
	}
	var out []record
	for i, st := range sc.Steps {
		body, err := BuildEvent(e.spec, st.Event, EventOptions{
			// created_at is when the event fires in real time, the clock its
			// X-MiniVoice-Timestamp is signed with; never ahead of it.
			CallID: call.ID, CreatedAt: call.CreatedAt.Add(scale(st.After, e.cfg.TimeScale)), Set: callSet(app, call, st.Set, set),
		})
		if err != nil {
			return nil, err
		}
		r, err := e.newRecord(Send{
			ApplicationID: app.ID, URL: app.WebhookURL, Secrets: app.Secrets, Event: st.Event,
			Body: body, CallID: call.ID, Schedule: app.Schedule, Chaos: app.Chaos,
			Delay: sc.Steps[slots[i]].After,
		})
		if err != nil {
			return nil, err
		}
		if app.Chaos.OutOfOrder {
			r.Chaos = append(r.Chaos, fmt.Sprintf("out-of-order: event %d of %d sent in slot %d (+%s)",
				i+1, len(sc.Steps), slots[i]+1, sc.Steps[slots[i]].After))
		}
		out = append(out, e.applyChaos(r, app.Chaos)...)
	}
	return out, nil
}

// callSet orders a call's overrides: the step's own, then the call's
// direction, parties and application, then the request's, which win.
func callSet(app Application, call Call, step, request []spec.Override) []spec.Override {
	set := append([]spec.Override(nil), step...)
	add := func(path, v string) {
		if v != "" {
			b, _ := json.Marshal(v) // a JSON string, so "+1555…" stays a string
			set = append(set, spec.Override{Path: path, Value: string(b)})
		}
	}
	add("call.direction", call.Direction)
	add("call.from", call.From)
	add("call.to", call.To)
	add("call.application_id", app.ID)
	return append(set, request...)
}

func scenarioNames(m map[string]Scenario) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
