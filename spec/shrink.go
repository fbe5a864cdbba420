package spec

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Difference is one property where a payload differs from its event's
// example: what a shrunk failure reports as the likely cause.
type Difference struct {
	// Path is dotted, e.g. "call.route_mode".
	Path string `json:"path"`
	// Example and Got are the values; absent ones are nil with the flag
	// false.
	Example   any  `json:"example,omitempty"`
	Got       any  `json:"got,omitempty"`
	InExample bool `json:"in_example"`
	InGot     bool `json:"in_got"`
}

// String words the difference for a report: "call.route_mode absent",
// "variables.menu added: 3", `call.from "東京" (example "+15551230001")`.
func (d Difference) String() string {
	switch {
	case !d.InGot:
		return d.Path + " absent"
	case !d.InExample:
		return d.Path + " added: " + brief(d.Got)
	}
	return fmt.Sprintf("%s %s (example %s)", d.Path, brief(d.Got), brief(d.Example))
}

// brief is a value's JSON, cut to a readable length.
func brief(v any) string {
	b, _ := json.Marshal(v)
	if r := []rune(string(b)); len(r) > 80 {
		return fmt.Sprintf("%s… (%d characters)", string(r[:80]), len(r))
	}
	return string(b)
}

// keyPaths are the properties Fix sets: the record's key, never a cause.
var keyPaths = [...]string{"event", "call.id", "data.event_key"}

// Differences lists where v differs from example, property by property,
// descending into objects both have, sorted by path; the key properties are
// left out.
func Differences(example, v map[string]any) []Difference {
	var out []Difference
	diff("", example, v, &out)
	return out
}

func diff(prefix string, a, b map[string]any, out *[]Difference) {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if slices.Contains(keyPaths[:], path) {
			continue
		}
		av, inA := a[k]
		bv, inB := b[k]
		am, aObj := av.(map[string]any)
		bm, bObj := bv.(map[string]any)
		switch {
		case inA && inB && aObj && bObj:
			diff(path, am, bm, out)
		case inA != inB || !reflect.DeepEqual(av, bv):
			*out = append(*out, Difference{Path: path, Example: av, Got: bv, InExample: inA, InGot: inB})
		}
	}
}

// revert returns a copy of v with the differences ds undone: each path set
// back to the example's value, or removed where the example lacks it.
func revert(v map[string]any, ds []Difference) map[string]any {
	out := deepCopy(v).(map[string]any)
	for _, d := range ds {
		parts := strings.Split(d.Path, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			child, ok := m[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				m[p] = child
			}
			m = child
		}
		last := parts[len(parts)-1]
		if d.InExample {
			m[last] = deepCopy(d.Example)
		} else {
			delete(m, last)
		}
	}
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			out[k] = deepCopy(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = deepCopy(c)
		}
		return out
	}
	return v
}

// Shrunk is the outcome of Shrink.
type Shrunk struct {
	// Value is the smallest failing payload found.
	Value map[string]any
	// Differences are where it still differs from the example.
	Differences []Difference
	// Steps is how many candidates fails was asked about.
	Steps int
}

// Shrink moves a failing payload towards the example, undoing its
// differences in halves, then one at a time, keeping each undo after which
// fails still reports a failure. It asks fails at most maxSteps times and
// stops early when ctx ends, since each question may cost a delivery and a
// settle window; the result is the smallest failure found by then, and
// with budget enough differs from the example in as few places as the
// failure needs (one, for a receiver that rejects one property).
func Shrink(ctx context.Context, example, failing map[string]any, maxSteps int, fails func(context.Context, map[string]any) bool) Shrunk {
	cur := deepCopy(failing).(map[string]any)
	steps := 0
	for size := max(len(Differences(example, cur))/2, 1); ; size /= 2 {
		for start := 0; ; start += size {
			ds := Differences(example, cur)
			if start >= len(ds) || steps >= maxSteps || ctx.Err() != nil {
				break
			}
			candidate := revert(cur, ds[start:min(start+size, len(ds))])
			steps++
			if fails(ctx, candidate) {
				cur, start = candidate, start-size
			}
		}
		if size == 1 {
			break
		}
	}
	return Shrunk{Value: cur, Differences: Differences(example, cur), Steps: steps}
}
