package observe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// inspectLimit bounds the records document read from an inspection URL.
const inspectLimit = 64 << 20

// Inspect observes a receiver that serves its records: a GET of URL answers
// a JSON array of record objects, each keyed by Key.
type Inspect struct {
	URL    string
	Key    string
	Client *http.Client
}

// Kind is "inspect".
func (i Inspect) Kind() string { return "inspect" }

// Counts fetches the records and counts them per key; a record without a
// key is an error, since it means Key does not fit the receiver.
func (i Inspect) Counts(ctx context.Context) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, i.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", i.URL, err)
	}
	client := i.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", i.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("inspect %s: status %d", i.URL, resp.StatusCode)
	}
	var records []any
	if err := json.NewDecoder(io.LimitReader(resp.Body, inspectLimit)).Decode(&records); err != nil {
		return nil, fmt.Errorf("inspect %s: want a JSON array of records: %w", i.URL, err)
	}
	key := i.Key
	if key == "" {
		key = DefaultKey
	}
	counts := make(map[string]int, len(records))
	for n, rec := range records {
		k, err := keyIn(rec, key)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: record %d: %w", i.URL, n, err)
		}
		counts[k]++
	}
	return counts, nil
}
