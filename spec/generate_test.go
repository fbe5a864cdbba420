package spec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// generatedSeeds is how many seeds TestGeneratedValidate checks, each for
// one event in turn; under the race detector (make test's main run) it
// checks a tenth, and make test runs the full count without it.
const generatedSeeds = 10000

// TestGeneratedValidate: every generated body validates against the
// contract, for 10,000 seeds.
func TestGeneratedValidate(t *testing.T) {
	s := mustDefault(t)
	n := generatedSeeds
	if raceEnabled || testing.Short() {
		n /= 10
	}
	events := s.EventNames()
	for seed := range n {
		event := events[seed%len(events)]
		g, err := s.Generate(event, int64(seed), seed/len(events), "call_gen_1")
		if err != nil {
			t.Fatal(err)
		}
		if v := s.Validate(g.Body); len(v) > 0 {
			t.Fatalf("seed %d %s: %v\n%s", seed, event, v, g.Body)
		}
	}
	t.Logf("%d seeds validate, across %d events", n, len(events))
}

// TestGenerateDeterministic: a seed gives the same bytes again except the
// call ID, and another seed gives other bytes.
func TestGenerateDeterministic(t *testing.T) {
	s := mustDefault(t)
	for i := range 8 {
		a, _ := s.Generate("call.created", 42, i, "call_a")
		b, _ := s.Generate("call.created", 42, i, "call_b")
		c, _ := s.Generate("call.created", 43, i, "call_a")
		if got := bytes.ReplaceAll(b.Body, []byte("call_b"), []byte("call_a")); !bytes.Equal(a.Body, got) {
			t.Errorf("case %d: seed 42 twice differs beyond the call ID:\n%s\n%s", i, a.Body, b.Body)
		}
		if i > 0 && bytes.Equal(a.Body, c.Body) {
			t.Errorf("case %d: seeds 42 and 43 gave the same body %s", i, a.Body)
		}
	}
}

// TestGenerateCovers: within the first cases of a seed every optional
// property is absent and present, every enum value occurs, and strings
// beyond ASCII, long strings, fractional date-times and every JSON kind in
// the free-form objects show up.
func TestGenerateCovers(t *testing.T) {
	s := mustDefault(t)
	seen := map[string]bool{}
	for i := range 40 {
		g, err := s.Generate("call.created", 7, i, "call_c")
		if err != nil {
			t.Fatal(err)
		}
		call := g.Value["call"].(map[string]any)
		for _, p := range []string{"provider_call_id", "route_mode", "routing_target"} {
			_, ok := call[p]
			seen[p+map[bool]string{true: " present", false: " absent"}[ok]] = true
		}
		seen["direction "+call["direction"].(string)] = true
		for _, v := range call {
			if s, ok := v.(string); ok && s != "" {
				seen["non-ASCII"] = seen["non-ASCII"] || !isASCII(s)
				seen["long"] = seen["long"] || utf8.RuneCountInString(s) > 500
			}
		}
		seen["fraction"] = seen["fraction"] || strings.Contains(g.Value["created_at"].(string), ".")
		walk(g.Value["variables"], func(v any) { seen["variables "+kind(v)] = true })
	}
	for _, want := range []string{"provider_call_id absent", "provider_call_id present", "route_mode absent", "route_mode present",
		"direction inbound", "direction outbound", "non-ASCII", "long", "fraction",
		"variables string", "variables number", "variables boolean", "variables null", "variables array", "variables object"} {
		if !seen[want] {
			t.Errorf("40 cases never gave %s", want)
		}
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

// walk calls f on every value nested in v (v itself excluded).
func walk(v any, f func(any)) {
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			f(c)
			walk(c, f)
		}
	case []any:
		for _, c := range v {
			f(c)
			walk(c, f)
		}
	}
}

func kind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	}
	return "object"
}
