// Package observe is how the conformance suites see a receiver's business
// records: through the harness sink the receiver forwards each record to,
// or through an inspection URL the receiver serves. Records are counted per
// key, a JSON pointer into each record; a check that needs records and has
// no observer is skipped, never passed.
package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultKey is the JSON pointer of a record's idempotency key.
const DefaultKey = "/event_key"

// Observer counts business records per key.
type Observer interface {
	// Counts returns how many records the receiver holds (or forwarded)
	// per key so far.
	Counts(ctx context.Context) (map[string]int, error)
	// Kind is "sink" or "inspect", for reports and skip reasons.
	Kind() string
}

// ErrNoKey is returned when a record has nothing at the key pointer.
var ErrNoKey = errors.New("record has no key")

// KeyOf returns the value at pointer (RFC 6901) in a JSON record: strings
// as they are, other values as compact JSON.
func KeyOf(record []byte, pointer string) (string, error) {
	var doc any
	if err := json.Unmarshal(record, &doc); err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	return keyIn(doc, pointer)
}

// keyIn resolves pointer in a decoded JSON value.
func keyIn(doc any, pointer string) (string, error) {
	if err := CheckPointer(pointer); err != nil {
		return "", err
	}
	v := doc
	for _, tok := range strings.Split(pointer, "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[tok]
			if !ok {
				return "", fmt.Errorf("%w at %s", ErrNoKey, pointer)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(node) {
				return "", fmt.Errorf("%w at %s", ErrNoKey, pointer)
			}
			v = node[i]
		default:
			return "", fmt.Errorf("%w at %s", ErrNoKey, pointer)
		}
	}
	switch s := v.(type) {
	case string:
		return s, nil
	case nil:
		return "", fmt.Errorf("%w at %s", ErrNoKey, pointer)
	default:
		b, _ := json.Marshal(s)
		return string(b), nil
	}
}

// CheckPointer accepts the JSON pointers a key flag may hold: non-empty,
// starting with "/".
func CheckPointer(pointer string) error {
	if !strings.HasPrefix(pointer, "/") {
		return fmt.Errorf("key pointer %q: want a JSON pointer such as /event_key", pointer)
	}
	return nil
}
