package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrUnknownEvent is returned for an event name the catalogue does not have.
var ErrUnknownEvent = errors.New("unknown event")

// Event is one entry of the catalogue: a webhook of the document.
type Event struct {
	Name        string `json:"name"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	// Inferred is true for events implied, not documented, by MiniVoice's
	// public page (x-minivoice-inferred).
	Inferred bool `json:"inferred"`
	// Example is the first example payload, as compact JSON with sorted keys.
	Example json.RawMessage `json:"example"`

	schema *openapi3.Schema
}

// Events returns the catalogue sorted by name.
func (s *Spec) Events() []Event { return append([]Event(nil), s.events...) }

// EventNames returns the names of the catalogue sorted.
func (s *Spec) EventNames() []string {
	names := make([]string, len(s.events))
	for i, e := range s.events {
		names[i] = e.Name
	}
	return names
}

// Event looks an event up by name.
func (s *Spec) Event(name string) (Event, error) {
	e, ok := s.byName[name]
	if !ok {
		return Event{}, fmt.Errorf("%w %q", ErrUnknownEvent, name)
	}
	return *e, nil
}

func (s *Spec) buildCatalogue() error {
	if len(s.doc.Webhooks) == 0 {
		return fmt.Errorf("%w: no webhooks", ErrInvalid)
	}
	s.byName = make(map[string]*Event, len(s.doc.Webhooks))
	for name, item := range s.doc.Webhooks {
		e, err := eventOf(name, item)
		if err != nil {
			return err
		}
		s.events = append(s.events, e)
	}
	sort.Slice(s.events, func(i, j int) bool { return s.events[i].Name < s.events[j].Name })
	for i := range s.events {
		s.byName[s.events[i].Name] = &s.events[i]
	}
	return nil
}

func eventOf(name string, item *openapi3.PathItem) (Event, error) {
	if item == nil || item.Post == nil {
		return Event{}, fmt.Errorf("%w: webhook %s: no post operation", ErrInvalid, name)
	}
	op := item.Post
	media := jsonBody(op)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return Event{}, fmt.Errorf("%w: webhook %s: no application/json request body schema", ErrInvalid, name)
	}
	raw, ok := firstExample(media)
	if !ok {
		return Event{}, fmt.Errorf("%w: webhook %s: no example", ErrInvalid, name)
	}
	example, err := json.Marshal(raw)
	if err != nil {
		return Event{}, fmt.Errorf("%w: webhook %s: example: %v", ErrInvalid, name, err)
	}
	inferred, _ := op.Extensions["x-minivoice-inferred"].(bool)
	return Event{
		Name:        name,
		Summary:     op.Summary,
		Description: op.Description,
		Inferred:    inferred,
		Example:     example,
		schema:      media.Schema.Value,
	}, nil
}

func jsonBody(op *openapi3.Operation) *openapi3.MediaType {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	return op.RequestBody.Value.Content.Get("application/json")
}

// firstExample prefers the media type's example, then the alphabetically
// first entry of examples, so the choice is deterministic.
func firstExample(media *openapi3.MediaType) (any, bool) {
	if media.Example != nil {
		return media.Example, true
	}
	keys := make([]string, 0, len(media.Examples))
	for k := range media.Examples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ex := media.Examples[k]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value, true
		}
	}
	return nil, false
}
