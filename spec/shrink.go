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
	// Path is dotted, e.g. "call.route_mode"; a key that holds a dot is
	// quoted (variables["a.b"]). Keys are its segments.
	Path string   `json:"path"`
	Keys []string `json:"-"`
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
	diff(nil, example, v, &out)
	return out
}

// dotted joins path segments for a report.
func dotted(keys []string) string {
	var b strings.Builder
	for i, k := range keys {
		switch {
		case strings.ContainsAny(k, ".[]\"") || k == "":
			fmt.Fprintf(&b, "[%q]", k)
		case i > 0:
			b.WriteString("." + k)
		default:
			b.WriteString(k)
		}
	}
	return b.String()
}

func diff(prefix []string, a, b map[string]any, out *[]Difference) {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		keys := append(slices.Clone(prefix), k)
		path := dotted(keys)
		if slices.Contains(keyPaths[:], path) {
			continue
		}
		av, inA := a[k]
		bv, inB := b[k]
		am, aObj := av.(map[string]any)
		bm, bObj := bv.(map[string]any)
		switch {
		case inA && inB && aObj && bObj:
			diff(keys, am, bm, out)
		case inA != inB || !reflect.DeepEqual(av, bv):
			*out = append(*out, Difference{Path: path, Keys: keys, Example: av, Got: bv, InExample: inA, InGot: inB})
		}
	}
}

// revert returns a copy of v with the differences ds undone: each path set
// back to the example's value, or removed where the example lacks it.
func revert(v map[string]any, ds []Difference) map[string]any {
	out := deepCopy(v).(map[string]any)
	for _, d := range ds {
		parts := d.Keys
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

// Shrink moves a failing payload towards the example. It first bisects:
// keeping only one half of the differences from the example, then the
// other, while either half alone still fails; then it undoes the remaining
// differences one at a time, keeping each undo after which fails still
// reports a failure. It asks fails at most maxSteps times and stops early
// when ctx ends, since each question may cost a delivery and a settle
// window; the result is the smallest failure found by then. A failure with
// one cause among n differences costs about 2·log2(n) + 1 questions and
// ends one difference away from the example.
func Shrink(ctx context.Context, example, failing map[string]any, maxSteps int, fails func(context.Context, map[string]any) bool) Shrunk {
	cur := deepCopy(failing).(map[string]any)
	steps := 0
	try := func(candidate map[string]any) bool {
		if steps >= maxSteps || ctx.Err() != nil {
			return false
		}
		steps++
		return fails(ctx, candidate)
	}
	for {
		ds := Differences(example, cur)
		if len(ds) < 2 {
			break
		}
		first, second := ds[:len(ds)/2], ds[len(ds)/2:]
		if c := revert(cur, second); try(c) {
			cur = c
		} else if c := revert(cur, first); try(c) {
			cur = c
		} else {
			break
		}
	}
	for i := 0; ; {
		ds := Differences(example, cur)
		if i >= len(ds) || steps >= maxSteps || ctx.Err() != nil {
			break
		}
		if c := revert(cur, ds[i:i+1]); try(c) {
			cur = c
			continue
		}
		i++
	}
	return Shrunk{Value: cur, Differences: Differences(example, cur), Steps: steps}
}
