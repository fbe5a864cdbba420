package main

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// The defects of issue 14: the contract's numbers and forms that a
// hand-written verifier, parser or cache gets wrong.
const (
	window60s          = "window-60s"
	toleranceMargin    = "tolerance-with-margin"
	prefixCompare      = "signature-prefix-compare"
	dedupeByBody       = "dedupe-by-body"
	shortDedupeCache   = "short-dedupe-cache"
	nonASCII500        = "non-ascii-500"
	missingRequired500 = "missing-required-500"
)

// dedupeTTL is how long short-dedupe-cache remembers an event: shorter
// than the contract's first retry offset (5 s), as a cache sized for
// "duplicates arrive together" is.
const dedupeTTL = 2 * time.Second

// tolerance is the timestamp window the defect's hand-written check uses.
func tolerance(defect string) time.Duration {
	switch defect {
	case window60s:
		return 60 * time.Second
	case toleranceMargin:
		return signature.DefaultTolerance + 200*time.Second
	}
	return signature.DefaultTolerance
}

// prefixMatch is signature-prefix-compare's verification: each v1 value is
// compared as a prefix of the expected hex digest, so an empty or cut-short
// value matches.
func prefixMatch(header, want string) bool {
	for _, entry := range strings.Split(header, signature.Separator) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(entry), signature.Version+"="); ok &&
			hmac.Equal([]byte(v), []byte(want[:min(len(v), len(want))])) {
			return true
		}
	}
	return false
}

// shapeError is what the parsing defects answer 500 with: the handler
// crashed on a legal (non-ascii-500) or broken (missing-required-500) form.
type shapeError struct{ msg string }

func (e shapeError) Error() string { return "internal error: " + e.msg }

// checkShape is where the parsing defects crash: non-ascii-500 normalises
// from and to with an ASCII-only E.164 parser, missing-required-500 reads
// every documented call property without checking it is there.
func checkShape(defect string, body []byte) error {
	if defect != nonASCII500 && defect != missingRequired500 {
		return nil
	}
	var env map[string]any
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	call, _ := env["call"].(map[string]any)
	if defect == nonASCII500 {
		for _, k := range []string{"from", "to"} {
			if s, _ := call[k].(string); strings.ContainsFunc(s, func(r rune) bool { return r > 127 }) {
				return shapeError{fmt.Sprintf("normalise call.%s: not an E.164 number", k)}
			}
		}
		return nil
	}
	for _, k := range []string{"created_at", "call", "variables", "data"} {
		if _, ok := env[k]; !ok {
			return shapeError{"nil pointer dereference reading " + k}
		}
	}
	for _, k := range []string{"customer_id", "application_id", "status", "direction", "from", "to"} {
		if _, ok := call[k]; !ok {
			return shapeError{"nil pointer dereference reading call." + k}
		}
	}
	return nil
}

// dedupeCache is short-dedupe-cache's memory of stored events, in front of
// a table without a unique key.
type dedupeCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// save stores the event unless the cache saw it within dedupeTTL; the
// lock covers the insert, so concurrent duplicates are still caught.
func (c *dedupeCache) save(ctx context.Context, s *store, callID, event string, envelope []byte) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	key := callID + ":" + event
	if at, ok := c.seen[key]; ok && time.Since(at) < dedupeTTL {
		return false, nil
	}
	if err := s.insert(ctx, `INSERT INTO events (call_id, event, envelope) VALUES (?, ?, ?)`, callID, event, envelope); err != nil {
		return false, err
	}
	c.seen[key] = time.Now()
	return true, nil
}

// saveByBody is dedupe-by-body: an event is a duplicate only when its
// bytes equal a stored one's, as with a key made of a hash of the body.
func (s *store) saveByBody(ctx context.Context, callID, event string, envelope []byte) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO events (call_id, event, envelope)
		SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM events WHERE envelope = ?)`), callID, event, envelope, envelope)
	if err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
