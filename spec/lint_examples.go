package spec

import (
	"encoding/json"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// examples checks every example of media against its schema and, when event
// is not empty (a request body), that the example names that event. label
// prefixes messages; at is the media type's YAML path. It returns how many
// examples there were.
func (l *linter) examples(event, label string, at []string, media *openapi3.MediaType) int {
	schema := media.Schema.Value
	n := 0
	if media.Example != nil {
		n++
		l.example(event, label+" example", sub(at, "example"), media.Example, schema)
	}
	keys := make([]string, 0, len(media.Examples))
	for k := range media.Examples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ex := media.Examples[k]
		if ex == nil || ex.Value == nil || ex.Value.Value == nil {
			continue
		}
		n++
		l.example(event, label+" example "+k, refPath(ex.Ref, sub(at, "examples", k), "value"), ex.Value.Value, schema)
	}
	return n
}

func (l *linter) example(event, label string, at []string, raw any, schema *openapi3.Schema) {
	value, err := jsonValue(raw)
	if err != nil {
		l.addAt(RuleExample, at, "%s: not JSON: %v", label, err)
		return
	}
	for _, v := range validateValue(schema, value) {
		p := v.Pointer
		if p == "" {
			p = "/"
		}
		l.addAt(RuleExample, sub(at, pointerKeys(v.Pointer)...), "%s at %s: %s", label, p, v.Message)
	}
	if event == "" {
		return
	}
	obj, _ := value.(map[string]any)
	if got, _ := obj["event"].(string); got != event {
		l.addAt(RuleExampleEvent, sub(at, "event"), "%s: event %q, want the webhook key %q", label, got, event)
	}
}

// jsonValue round-trips an example through encoding/json so the schema sees
// exactly what a receiver would decode (float64 numbers, plain maps).
func jsonValue(raw any) (any, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(b, &v)
}
