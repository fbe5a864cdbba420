package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// ErrFileKind is returned for a file that is neither a load result nor
// a sink's records.
var ErrFileKind = errors.New("not a load result or sink records file")

// WriteFile writes v (a *Result or *Records) as indented JSON to path.
func WriteFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %w", err)
	}
	return nil
}

// ReadFile reads a file WriteFile wrote: exactly one of the results is
// non-nil.
func ReadFile(path string) (*Result, *Records, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %w", err)
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	switch head.Kind {
	case ResultKind:
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := r.restore(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return &r, nil, nil
	case RecordsKind:
		var rec Records
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, &rec, nil
	}
	return nil, nil, fmt.Errorf("%s: kind %q: %w", path, head.Kind, ErrFileKind)
}
