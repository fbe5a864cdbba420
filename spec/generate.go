package spec

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
)

// Generated is one payload the generator made from an event's schema.
type Generated struct {
	Event string
	// Value is the decoded body; Body is its compact JSON with sorted keys.
	Value map[string]any
	Body  []byte
}

// Generate makes the i-th payload of event for seed: a body the event's
// schema accepts, built from the schema with the example as a starting
// point. Equal (seed, event, i) give equal bytes except call.id, which is
// callID (and data.event_key, which follows it), so a run can be repeated
// while a long-lived receiver never sees its own dedupe keys again.
//
// Across i it covers every optional property absent (i%4 == 0) and present
// (i%4 == 1, random otherwise), every enum value (the i-th value, in turn),
// date-times in several legal spellings, strings beyond ASCII and of unusual
// length, and free-form objects holding every kind of JSON value. The event
// name and data.event_key are fixed by the event and call ID: they are the
// record's key, not data.
func (s *Spec) Generate(event string, seed int64, i int, callID string) (Generated, error) {
	e, err := s.Event(event)
	if err != nil {
		return Generated{}, err
	}
	var example map[string]any
	if err := json.Unmarshal(e.Example, &example); err != nil {
		return Generated{}, fmt.Errorf("example of %s: %w", event, err)
	}
	h := fnv.New64a()
	h.Write([]byte(event))
	g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), h.Sum64()^uint64(i))), i: i}
	v, _ := g.value(e.schema, example, 0).(map[string]any)
	if v == nil {
		return Generated{}, fmt.Errorf("generate %s: the schema is not an object", event)
	}
	return Fix(event, v, callID)
}

// Fix sets the properties a payload's key is made of (event, call.id,
// data.event_key) and encodes it; shrinking and the checks use it to give
// every variant its own call.
func Fix(event string, v map[string]any, callID string) (Generated, error) {
	v["event"] = event
	if call, ok := v["call"].(map[string]any); ok {
		call["id"] = callID
	}
	if data, ok := v["data"].(map[string]any); ok {
		data["event_key"] = EventKey(callID, event)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Generated{}, fmt.Errorf("encode %s: %w", event, err)
	}
	return Generated{Event: event, Value: v, Body: body}, nil
}

// gen holds one payload's random choices.
type gen struct {
	rng *rand.Rand
	i   int
}

// maxDepth bounds the nesting of free-form values.
const maxDepth = 3

// value generates a value for schema; example is the example's value at the
// same place (nil when it has none).
func (g *gen) value(schema *openapiSchema, example any, depth int) any {
	if schema == nil {
		return g.free(depth)
	}
	if len(schema.Enum) > 0 {
		return schema.Enum[g.i%len(schema.Enum)]
	}
	switch {
	case schema.Type.Is("object"):
		return g.object(schema, example, depth)
	case schema.Type.Is("string"):
		return g.stringFor(schema, example)
	case schema.Type.Is("integer"):
		return g.integer(schema)
	case schema.Type.Is("number"):
		return g.number(schema)
	case schema.Type.Is("boolean"):
		return g.rng.IntN(2) == 1
	case schema.Type.Is("array"):
		var items *openapiSchema
		if schema.Items != nil {
			items = schema.Items.Value
		}
		out := make([]any, g.rng.IntN(4))
		for k := range out {
			out[k] = g.value(items, nil, depth+1)
		}
		return out
	}
	return example
}

// present decides whether an optional property is sent.
func (g *gen) present() bool {
	switch g.i % 4 {
	case 0:
		return false
	case 1:
		return true
	}
	return g.rng.IntN(2) == 1
}

func (g *gen) object(schema *openapiSchema, example any, depth int) map[string]any {
	ex, _ := example.(map[string]any)
	out := map[string]any{}
	names := make([]string, 0, len(schema.Properties))
	for name := range schema.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(schema.Required, name) && !g.present() {
			continue
		}
		out[name] = g.value(schema.Properties[name].Value, ex[name], depth+1)
	}
	if schema.AdditionalProperties.Has != nil && !*schema.AdditionalProperties.Has {
		return out
	}
	// Keys the example carries beyond the schema keep their JSON kind.
	extra := make([]string, 0, len(ex))
	for k := range ex {
		if _, ok := schema.Properties[k]; !ok {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		out[k] = g.like(ex[k], depth+1)
	}
	if len(schema.Properties) == 0 || g.rng.IntN(3) == 0 {
		for range g.rng.IntN(4) {
			out[g.key()] = g.free(depth + 1)
		}
	}
	return out
}

// like generates a value of the same JSON kind as v.
func (g *gen) like(v any, depth int) any {
	switch v := v.(type) {
	case string:
		return g.text(0, v)
	case float64:
		if v == float64(int64(v)) {
			return float64(g.rng.IntN(100000))
		}
		return g.rng.Float64() * 1000
	case bool:
		return g.rng.IntN(2) == 1
	case map[string]any:
		return g.freeObject(depth)
	case []any:
		out := make([]any, g.rng.IntN(4))
		for k := range out {
			if len(v) > 0 {
				out[k] = g.like(v[0], depth+1)
			} else {
				out[k] = g.free(depth + 1)
			}
		}
		return out
	}
	return nil
}

// free generates any JSON value: what a schema-less property may hold.
func (g *gen) free(depth int) any {
	kinds := 7
	if depth >= maxDepth {
		kinds = 5
	}
	switch g.rng.IntN(kinds) {
	case 0:
		return g.text(0, "")
	case 1:
		return float64(g.rng.Int64N(1<<53) - 1<<52)
	case 2:
		return []float64{0.5, -1.25, 1e-7, 6.02214076e23, 3.141592653589793}[g.rng.IntN(5)]
	case 3:
		return g.rng.IntN(2) == 1
	case 4:
		return nil
	case 5:
		out := make([]any, g.rng.IntN(4))
		for k := range out {
			out[k] = g.free(depth + 1)
		}
		return out
	}
	return g.freeObject(depth)
}

func (g *gen) freeObject(depth int) map[string]any {
	out := map[string]any{}
	for range g.rng.IntN(4) {
		out[g.key()] = g.free(depth + 1)
	}
	return out
}

// key is a property name for a free-form object.
func (g *gen) key() string {
	return []string{"menu", "attempt", "customer ref", "ключ", "顧客", "a.b", "x-y_z", "emoji_🎧", ""}[g.rng.IntN(9)]
}

// matches reports whether s satisfies pattern (true when there is none or
// it does not compile: kin-openapi would have refused such a document).
func matches(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	re, err := regexp.Compile(pattern)
	return err != nil || re.MatchString(s)
}
