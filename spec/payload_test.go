package spec

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload %s: %v", b, err)
	}
	return m
}

// at reads a dotted path of a decoded payload.
func at(m map[string]any, path string) any {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[p]
	}
	return v
}

func TestPayload(t *testing.T) {
	s := mustDefault(t)
	berlin := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name  string
		event string
		opts  PayloadOptions
		want  map[string]any // dotted path -> decoded value
	}{
		{"example unchanged", "call.created", PayloadOptions{}, map[string]any{
			"call.id": "call_123", "data.event_key": "call_123:call.created", "created_at": "2026-05-29T12:00:00Z"}},
		{"call ID moves the event key", "call.completed", PayloadOptions{CallID: "call_9"}, map[string]any{
			"call.id": "call_9", "data.event_key": "call_9:call.completed"}},
		{"created_at in UTC", "call.created", PayloadOptions{CreatedAt: time.Date(2026, 6, 1, 14, 30, 0, 999, berlin)}, map[string]any{
			"created_at": "2026-06-01T12:30:00Z"}},
		{"string override", "call.created", PayloadOptions{Set: []Override{{"call.status", "completed"}}}, map[string]any{
			"call.status": "completed"}},
		{"JSON overrides", "call.created", PayloadOptions{Set: []Override{
			{"variables.attempt", "3"}, {"variables.vip", "true"}, {"variables.menu", `{"choice":"1"}`}, {"variables.quoted", `"42"`}}},
			map[string]any{"variables.attempt": 3.0, "variables.vip": true, "variables.menu.choice": "1", "variables.quoted": "42"}},
		{"nested path created", "call.created", PayloadOptions{Set: []Override{{"data.ivr.menu.choice", "2"}}}, map[string]any{
			"data.ivr.menu.choice": 2.0}},
		{"override of call.id moves the key", "call.created", PayloadOptions{Set: []Override{{"call.id", "call_7"}}}, map[string]any{
			"data.event_key": "call_7:call.created"}},
		{"explicit event_key wins", "call.created", PayloadOptions{CallID: "call_9", Set: []Override{{"data.event_key", "custom:key"}}}, map[string]any{
			"call.id": "call_9", "data.event_key": "custom:key"}},
		{"data merged", "call.gathered", PayloadOptions{Data: map[string]any{"digits": "42", "extra": 1}}, map[string]any{
			"data.digits": "42", "data.extra": 1.0, "data.input_valid": true, "data.event_key": "call_123:call.gathered"}},
		{"data event_key wins", "call.gathered", PayloadOptions{Data: map[string]any{"event_key": "k:v"}}, map[string]any{
			"data.event_key": "k:v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := s.Payload(tt.event, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			m := decode(t, b)
			for path, want := range tt.want {
				if got := at(m, path); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", path, got, want)
				}
			}
			again, _ := s.Payload(tt.event, tt.opts)
			if string(again) != string(b) {
				t.Error("equal options gave different bytes")
			}
		})
	}
}

func TestPayloadUnchangedIsTheExample(t *testing.T) {
	s := mustDefault(t)
	for _, e := range s.Events() {
		b, err := s.Payload(e.Name, PayloadOptions{})
		if err != nil || string(b) != string(e.Example) {
			t.Errorf("Payload(%s) = %s, %v\nwant the example %s", e.Name, b, err, e.Example)
		}
	}
}

func TestEveryPayloadValidates(t *testing.T) {
	s := mustDefault(t)
	opts := PayloadOptions{CallID: "call_abc", CreatedAt: time.Unix(1780056000, 0), Set: []Override{{"variables.source", "test"}}}
	for _, name := range s.EventNames() {
		b, err := s.Payload(name, opts)
		if err != nil {
			t.Fatalf("Payload(%s): %v", name, err)
		}
		if v := s.Validate(b); len(v) > 0 {
			t.Errorf("Payload(%s) violates the contract: %v", name, v)
		}
	}
}

func TestPayloadErrors(t *testing.T) {
	s := mustDefault(t)
	if _, err := s.Payload("call.exploded", PayloadOptions{}); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown event: %v, want ErrUnknownEvent", err)
	}
	_, err := s.Payload("call.created", PayloadOptions{Set: []Override{{"call.id.part", "x"}}})
	if err == nil || !strings.Contains(err.Error(), "call.id is not an object") {
		t.Errorf("override through a string: %v", err)
	}
}

func TestParseOverride(t *testing.T) {
	tests := []struct {
		in      string
		want    Override
		wantErr bool
	}{
		{"call.status=completed", Override{"call.status", "completed"}, false},
		{"variables.empty=", Override{"variables.empty", ""}, false},
		{"data.expr=a=b", Override{"data.expr", "a=b"}, false},
		{`variables.obj={"a":1}`, Override{"variables.obj", `{"a":1}`}, false},
		{"no-equals", Override{}, true},
		{"=value", Override{}, true},
		{".call=1", Override{}, true},
		{"call.=1", Override{}, true},
		{"call..id=1", Override{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseOverride(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseOverride = %+v, %v", got, err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "override ") {
				t.Errorf("error %q should name the input", err)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in      string
		want    []time.Duration
		wantErr string
	}{
		{"0s,5s,30s", []time.Duration{0, 5 * time.Second, 30 * time.Second}, ""},
		{" 0s , 1m30s ,1h", []time.Duration{0, 90 * time.Second, time.Hour}, ""},
		{"5s,5s", nil, "entry 2 (5s) is not after entry 1 (5s)"},
		{"", nil, "entry 1"},
		{"5s,1s", nil, "entry 2 (1s) is not after entry 1 (5s)"},
		{"0s,300ms,300ms", nil, "entry 3"},
		{"0s,soon", nil, "entry 2"},
		{"-1s", nil, "negative"},
		{"5", nil, "entry 1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchedule(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "retry schedule ") {
					t.Fatalf("ParseSchedule = %v, %v; want error mentioning %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseSchedule = %v, %v", got, err)
			}
		})
	}
}

func TestEventKey(t *testing.T) {
	if got := EventKey("call_1", "call.created"); got != "call_1:call.created" {
		t.Errorf("EventKey = %q", got)
	}
}
