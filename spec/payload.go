package spec

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// PayloadOptions shape a payload built from an event's example.
type PayloadOptions struct {
	// CallID replaces call.id; data.event_key follows it. Empty keeps the
	// example's.
	CallID string
	// CreatedAt replaces created_at (rendered in UTC, seconds precision);
	// zero keeps the example's.
	CreatedAt time.Time
	// Set applies dotted-path overrides in order, e.g. "call.status" ->
	// "completed". Values that parse as JSON (numbers, true, {"a":1}) are
	// used as JSON, anything else as a string.
	Set []Override
	// Data is merged into data after Set; keys here win.
	Data map[string]any
}

// Override is one dotted-path assignment.
type Override struct {
	Path  string
	Value string
}

// ParseOverride reads "path=value", the form of mvh's --set flag.
func ParseOverride(s string) (Override, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || path == "" || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
		return Override{}, fmt.Errorf("override %q: want path=value, e.g. call.status=completed", s)
	}
	return Override{Path: path, Value: value}, nil
}

// Payload builds the body of one delivery of event: its example with the
// call ID, event key, creation time and overrides applied. The result is
// compact JSON with sorted keys, so equal options give equal bytes.
func (s *Spec) Payload(event string, opts PayloadOptions) ([]byte, error) {
	e, err := s.Event(event)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(e.Example, &body); err != nil {
		return nil, fmt.Errorf("example of %s: %w", event, err)
	}
	if opts.CallID != "" {
		if err := setPath(body, "call.id", opts.CallID); err != nil {
			return nil, err
		}
	}
	if !opts.CreatedAt.IsZero() {
		body["created_at"] = opts.CreatedAt.UTC().Format(time.RFC3339)
	}
	for _, o := range opts.Set {
		if err := setPath(body, o.Path, jsonOrString(o.Value)); err != nil {
			return nil, err
		}
	}
	if len(opts.Data) > 0 {
		data, _ := body["data"].(map[string]any)
		if data == nil {
			data = map[string]any{}
		}
		for k, v := range opts.Data {
			data[k] = v
		}
		body["data"] = data
	}
	if call, ok := body["call"].(map[string]any); ok {
		if id, ok := call["id"].(string); ok {
			if data, ok := body["data"].(map[string]any); ok {
				_, inData := opts.Data["event_key"]
				if _, overridden := findOverride(opts.Set, "data.event_key"); !overridden && !inData {
					data["event_key"] = EventKey(id, event)
				}
			}
		}
	}
	return json.Marshal(body)
}

// EventKey is the idempotency key receivers store events by.
func EventKey(callID, event string) string { return callID + ":" + event }

func findOverride(set []Override, path string) (Override, bool) {
	for _, o := range set {
		if o.Path == path {
			return o, true
		}
	}
	return Override{}, false
}

func jsonOrString(v string) any {
	var out any
	if err := json.Unmarshal([]byte(v), &out); err == nil {
		return out
	}
	return v
}

func setPath(body map[string]any, path string, value any) error {
	parts := strings.Split(path, ".")
	m := body
	for i, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok {
			child := map[string]any{}
			m[p] = child
			m = child
			continue
		}
		child, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("override %s: %s is not an object", path, strings.Join(parts[:i+1], "."))
		}
		m = child
	}
	m[parts[len(parts)-1]] = value
	return nil
}

// ParseSchedule reads a comma-separated list of attempt offsets from the
// event's creation ("0s,5s,30s"), the form of mvh's --retry-schedule flag.
// Offsets must increase: two attempts at the same offset are one attempt
// twice. Entries are counted from 1 in errors, as a user counts them.
func ParseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for i, f := range strings.Split(s, ",") {
		d, err := duration(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: entry %d: %v", s, i+1, err)
		}
		if i > 0 && d <= out[i-1] {
			return nil, fmt.Errorf("retry schedule %q: entry %d (%s) is not after entry %d (%s): offsets must increase", s, i+1, d, i, out[i-1])
		}
		out = append(out, d)
	}
	return out, nil
}
