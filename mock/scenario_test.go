package mock

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec"
)

func TestEmbeddedScenariosMatchTheContract(t *testing.T) {
	s := engSpec(t)
	scs, err := Scenarios(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"inbound-ivr", "invalid-input", "no-answer", "appointment-reminder"} {
		sc, ok := scs[name]
		if !ok {
			t.Errorf("scenario %s missing", name)
			continue
		}
		if len(sc.Steps) < 2 || sc.Steps[0].Event != "call.created" {
			t.Errorf("scenario %s steps %+v: want call.created first, then more", name, sc.Steps)
		}
	}
}

func TestScenarioFilesAreValidated(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown event", "name: x\nevents:\n  - {event: call.exploded, after: 0s}\n", "call.exploded"},
		{"misspelt key", "name: x\nevents:\n  - {event: call.created, afetr: 0s}\n", "afetr"},
		{"bad duration", "name: x\nevents:\n  - {event: call.created, after: soon}\n", "soon"},
		{"back in time", "name: x\nevents:\n  - {event: call.created, after: 5s}\n  - {event: call.completed, after: 1s}\n", "before"},
		{"same event twice", "name: x\nevents:\n  - {event: call.created}\n  - {event: call.created}\n", "twice"},
		{"breaks the schema", "name: x\nevents:\n  - {event: call.created, set: {call.direction: sideways}}\n", "/call/direction"},
		{"bad name", "name: X Y\nevents:\n  - {event: call.created}\n", "name"},
		{"no events", "name: x\n", "no events"},
	}
	s := engSpec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "s.yaml")
			if err := os.WriteFile(f, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Scenarios(s, f)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), f) {
				t.Errorf("error %v: want ErrInvalid naming %s and %q", err, f, tt.want)
			}
		})
	}
	if _, err := Scenarios(s, "/nonexistent/s.yaml"); err == nil || !strings.Contains(err.Error(), "/nonexistent/s.yaml") {
		t.Errorf("unreadable file: %v", err)
	}
}

// TestEnqueueCallBuildsOneCall checks the events of a scenario call: one
// fresh call ID, event keys, created_at at the step's moment, parties set.
func TestEnqueueCallBuildsOneCall(t *testing.T) {
	e := engOpen(t, Config{})
	ctx := context.Background()
	app, err := e.CreateApplication(ctx, Application{WebhookURL: "http://127.0.0.1:9/hook"})
	if err != nil {
		t.Fatal(err)
	}
	req := CallRequest{Scenario: "no-answer", From: "+15550001111", To: "+15550002222",
		Set: []spec.Override{{Path: "variables.campaign", Value: "spring"}}}
	call, ds, err := e.EnqueueCall(ctx, Application{ID: app.ID}, req)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := e.EnqueueCall(ctx, app, req)
	if err != nil || again.ID == call.ID || !strings.HasPrefix(call.ID, "call_") {
		t.Fatalf("call IDs %s and %s (%v): want fresh call_<hex> IDs", call.ID, again.ID, err)
	}
	if len(ds) != 2 || ds[0].Event != "call.created" || ds[1].Event != "call.no_answer" {
		t.Fatalf("deliveries %+v", ds)
	}
	for i, d := range ds {
		var body struct {
			Event     string `json:"event"`
			CreatedAt string `json:"created_at"`
			Call      struct {
				ID, From, To, Direction string
				ApplicationID           string `json:"application_id"`
			}
			Variables map[string]any
			Data      map[string]any
		}
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatal(err)
		}
		wantAt := call.CreatedAt.Add([]time.Duration{0, 45 * time.Second}[i]).Format(time.RFC3339)
		if body.Call.ID != call.ID || d.CallID != call.ID || body.Data["event_key"] != call.ID+":"+d.Event ||
			body.CreatedAt != wantAt || body.Call.From != "+15550001111" || body.Call.To != "+15550002222" ||
			body.Call.Direction != "outbound" || body.Call.ApplicationID != app.ID || body.Variables["campaign"] != "spring" {
			t.Errorf("event %d: %s", i, d.Body)
		}
		if vs := e.Spec().Validate(d.Body); len(vs) > 0 {
			t.Errorf("event %d breaks the contract: %v", i, vs)
		}
	}
	if _, _, err := e.EnqueueCall(ctx, app, CallRequest{Scenario: "bridge"}); !errors.Is(err, ErrUnknownScenario) {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	e := engOpen(t, Config{})
	tests := []struct {
		name string
		send Send
		want error
	}{
		{"relative URL", Send{URL: "/hook", Event: "call.created"}, ErrInvalid},
		{"ftp URL", Send{URL: "ftp://127.0.0.1/x", Event: "call.created"}, ErrInvalid},
		{"port out of range", Send{URL: "http://127.0.0.1:70000/x", Event: "call.created"}, ErrInvalid},
		{"unknown event", Send{URL: "http://127.0.0.1:9", Event: "call.exploded"}, spec.ErrUnknownEvent},
		{"override into a string", Send{URL: "http://127.0.0.1:9", Event: "call.created",
			Set: []spec.Override{{Path: "call.id.x", Value: "1"}}}, ErrInvalid},
		{"schedule back in time", Send{URL: "http://127.0.0.1:9", Event: "call.created",
			Schedule: []time.Duration{time.Second, 0}}, ErrInvalid},
		{"negative duplicate", Send{URL: "http://127.0.0.1:9", Event: "call.created", Chaos: Chaos{Duplicate: -1}}, ErrInvalid},
		{"missing application", Send{ApplicationID: "app_nope", Event: "call.created"}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.Enqueue(context.Background(), tt.send); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBuildEventFreshIDs(t *testing.T) {
	s := engSpec(t)
	seen := map[string]bool{}
	for range 50 {
		id := NewCallID()
		if seen[id] {
			t.Fatalf("call ID %s repeated", id)
		}
		seen[id] = true
	}
	body, err := BuildEvent(s, "call.gathered", EventOptions{Set: []spec.Override{{Path: "data.digits", Value: `"7"`}}})
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Call struct{ ID string }
		Data map[string]any
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	if b.Call.ID == "call_123" || b.Data["event_key"] != b.Call.ID+":call.gathered" || b.Data["digits"] != "7" {
		t.Errorf("body %s", body)
	}
}
