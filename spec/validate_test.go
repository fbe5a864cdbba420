package spec

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// body returns the call.created example with edit applied to its decoded
// form, so each case breaks exactly one thing.
func body(t *testing.T, edit func(m map[string]any)) []byte {
	t.Helper()
	e, err := mustDefault(t).Event("call.created")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(e.Example, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func call(m map[string]any) map[string]any { return m["call"].(map[string]any) }

func TestValidate(t *testing.T) {
	s := mustDefault(t)
	tests := []struct {
		name     string
		body     []byte
		pointers []string // every violation's pointer, sorted
		mention  string   // in the first message
	}{
		{"valid", body(t, func(map[string]any) {}), nil, ""},
		{"malformed JSON", []byte(`{"event":`), []string{""}, "malformed JSON"},
		{"not an object", []byte(`[]`), []string{""}, "object"},
		{"missing call", body(t, func(m map[string]any) { delete(m, "call") }), []string{"/call"}, "missing"},
		{"missing call.id", body(t, func(m map[string]any) { delete(call(m), "id") }), []string{"/call/id"}, "missing"},
		{"missing event_key", body(t, func(m map[string]any) { m["data"] = map[string]any{} }), []string{"/data/event_key"}, "missing"},
		{"call.id a number", body(t, func(m map[string]any) { call(m)["id"] = 123 }), []string{"/call/id"}, "string"},
		{"variables an array", body(t, func(m map[string]any) { m["variables"] = []any{} }), []string{"/variables"}, "object"},
		{"direction not allowed", body(t, func(m map[string]any) { call(m)["direction"] = "sideways" }), []string{"/call/direction"}, "allowed"},
		{"event_key without colon", body(t, func(m map[string]any) { m["data"].(map[string]any)["event_key"] = "call_123" }), []string{"/data/event_key"}, "regular expression"},
		{"created_at not a time", body(t, func(m map[string]any) { m["created_at"] = "yesterday" }), []string{"/created_at", "/created_at"}, ""},
		{"created_at not UTC", body(t, func(m map[string]any) { m["created_at"] = "2026-05-29T14:00:00+02:00" }), []string{"/created_at"}, "Z$"},
		{"created_at impossible month", body(t, func(m map[string]any) { m["created_at"] = "2026-13-29T12:00:00Z" }), []string{"/created_at"}, "date-time"},
		{"unknown event", body(t, func(m map[string]any) {
			m["event"] = "call.exploded"
			m["data"].(map[string]any)["event_key"] = "call_123:call.exploded"
		}), []string{"/event"}, "not in the catalogue"},
		{"event a number", body(t, func(m map[string]any) { m["event"] = 7 }), []string{"/event"}, "string"},
		{"everything wrong at once", []byte(`{"event":"call.created","created_at":"nope","call":{"id":3},"data":{}}`),
			[]string{"/call/application_id", "/call/customer_id", "/call/direction", "/call/from", "/call/id", "/call/status", "/call/to",
				"/created_at", "/created_at", "/data/event_key", "/variables"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Validate(tt.body)
			var pointers []string
			for _, v := range got {
				pointers = append(pointers, v.Pointer)
			}
			if !reflect.DeepEqual(pointers, tt.pointers) {
				t.Fatalf("pointers %q, want %q\n%v", pointers, tt.pointers, got)
			}
			if tt.mention != "" && !strings.Contains(got[0].Message, tt.mention) {
				t.Errorf("message %q should mention %q", got[0].Message, tt.mention)
			}
		})
	}
}

func TestViolationString(t *testing.T) {
	for _, tt := range []struct {
		v    Violation
		want string
	}{
		{Violation{Pointer: "/call/id", Message: "value must be a string"}, "/call/id: value must be a string"},
		{Violation{Message: "malformed JSON"}, "/: malformed JSON"},
	} {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestPointerEscapes(t *testing.T) {
	if got := JSONPointer([]string{"data", "a/b", "c~d"}); got != "/data/a~1b/c~0d" {
		t.Errorf("pointer = %q", got)
	}
	if got := pointerKeys("/data/a~1b/c~0d"); !reflect.DeepEqual(got, []string{"data", "a/b", "c~d"}) {
		t.Errorf("pointerKeys = %q", got)
	}
}
