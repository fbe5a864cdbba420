package spec

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Broken is a payload that breaks its event's schema in one place.
type Broken struct {
	// Label says where and how, e.g. "call.direction missing".
	Label string
	Body  []byte
}

// Invalid returns payloads of event for callID, each the example with one
// required property removed or one property of the wrong JSON type, in a
// stable order: what a receiver must survive without a 5xx.
func (s *Spec) Invalid(event, callID string) ([]Broken, error) {
	e, err := s.Event(event)
	if err != nil {
		return nil, err
	}
	body, err := s.Payload(event, PayloadOptions{CallID: callID})
	if err != nil {
		return nil, err
	}
	var out []Broken
	var walk func(prefix []string, schema *openapiSchema)
	walk = func(prefix []string, schema *openapiSchema) {
		names := make([]string, 0, len(schema.Properties))
		for name := range schema.Properties {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			path := append(slices.Clone(prefix), name)
			prop := schema.Properties[name].Value
			if slices.Contains(schema.Required, name) {
				out = append(out, broken(body, path, strings.Join(path, ".")+" missing", nil, true))
			}
			if prop == nil || prop.Type == nil || len(prop.Type.Slice()) != 1 {
				continue
			}
			typ := prop.Type.Slice()[0]
			value, kind := wrong(typ)
			out = append(out, broken(body, path, fmt.Sprintf("%s: %s instead of %s", strings.Join(path, "."), kind, typ), value, false))
			if typ == "object" {
				walk(path, prop)
			}
		}
	}
	walk(nil, e.schema)
	return out, nil
}

// broken edits one path of a copy of body: removes it, or sets value.
func broken(body []byte, path []string, label string, value any, remove bool) Broken {
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	m := v
	for _, p := range path[:len(path)-1] {
		child, ok := m[p].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[p] = child
		}
		m = child
	}
	last := path[len(path)-1]
	if remove {
		delete(m, last)
	} else {
		m[last] = value
	}
	out, _ := json.Marshal(v)
	return Broken{Label: label, Body: out}
}

// wrong is a value of another JSON type than typ, and that type's name.
func wrong(typ string) (any, string) {
	switch typ {
	case "string":
		return 12345, "number"
	case "object":
		return "not an object", "string"
	case "array":
		return map[string]any{}, "object"
	}
	return "12", "string"
}
