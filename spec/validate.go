package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Violation is one way a payload breaks the contract, located by a JSON
// pointer (RFC 6901) into the payload.
type Violation struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

func (v Violation) String() string {
	p := v.Pointer
	if p == "" {
		p = "/"
	}
	return p + ": " + v.Message
}

// Validate checks a payload against the schema of the event it names and
// returns every violation, sorted by pointer; none means valid. An event
// outside the catalogue is checked against the shared envelope and reported
// at /event, since receivers must still accept it.
func (s *Spec) Validate(body []byte) []Violation {
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return []Violation{{Pointer: "", Message: "malformed JSON: " + err.Error()}}
	}
	var out []Violation
	schema := s.envelope()
	if obj, ok := value.(map[string]any); ok {
		if name, ok := obj["event"].(string); ok {
			if e, ok := s.byName[name]; ok {
				schema = e.schema
			} else {
				out = append(out, Violation{Pointer: "/event", Message: fmt.Sprintf("event %q is not in the catalogue", name)})
			}
		}
	}
	if schema == nil {
		return append(out, Violation{Message: "no schema to validate against"})
	}
	out = append(out, validateValue(schema, value)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

// validateValue checks a decoded JSON value against schema, collecting every
// violation; Validate and Lint share it so a payload and an example are
// judged alike.
func validateValue(schema *openapi3.Schema, value any) []Violation {
	return schemaViolations(schema.VisitJSON(value, openapi3.MultiErrors(), openapi3.EnableFormatValidation()))
}

// envelope is the schema used for events the catalogue does not know.
func (s *Spec) envelope() *openapi3.Schema {
	if s.doc.Components != nil {
		if ref := s.doc.Components.Schemas["Envelope"]; ref != nil && ref.Value != nil {
			return ref.Value
		}
	}
	if len(s.events) > 0 {
		return s.events[0].schema
	}
	return nil
}

func schemaViolations(err error) []Violation {
	if err == nil {
		return nil
	}
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		var out []Violation
		for _, e := range multi {
			out = append(out, schemaViolations(e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return []Violation{{Pointer: JSONPointer(se.JSONPointer()), Message: se.Reason}}
	}
	return []Violation{{Message: err.Error()}}
}

// JSONPointer renders path segments (kin-openapi's SchemaError.JSONPointer)
// as an RFC 6901 pointer, escaping "~" and "/", so every location mvh
// reports reads the same.
func JSONPointer(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}
