package main

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
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

// toleranceStep verifies with the reference's verifier but a window of
// its own: window-60s's 60 s, tolerance-with-margin's 300 s plus 200 s.
func toleranceStep(tol time.Duration) func(*faults, *receiver.Steps) {
	return func(f *faults, s *receiver.Steps) {
		v := signature.Verifier{Secrets: f.secrets, Tolerance: tol}
		s.Verify = v.VerifyRequest
	}
}

// prefixCompareStep lets the reference verify and, where it finds the
// signature header malformed or unmatched, accepts a v1 value that is a
// prefix of the expected digest. Headers and timestamps are still the
// reference's business.
func (f *faults) prefixCompareStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		err := f.ref.Verify(h, body)
		if !errors.Is(err, signature.ErrMalformedHeader) && !errors.Is(err, signature.ErrNoMatch) {
			return err
		}
		ts, tsErr := signature.ParseTimestamp(h.Get(signature.TimestampHeader))
		if tsErr != nil {
			return err
		}
		for _, secret := range f.secrets {
			if prefixMatch(h.Get(signature.SignatureHeader), signature.Compute(secret, ts, body)) {
				return nil
			}
		}
		return err
	}
}

// shapeStep crashes in Parse on the forms checkShape names, and the Answer
// step answers that crash with 500.
func (f *faults) shapeStep(s *receiver.Steps) {
	s.Parse = func(body []byte) (receiver.Envelope, error) {
		env, err := f.ref.Parse(body)
		if err == nil {
			err = checkShape(f.defect, body)
		}
		return env, err
	}
	f.answerInstead(s, func(res receiver.Result) bool { return errors.As(res.Err, new(shapeError)) },
		http.StatusInternalServerError, "internal error")
}

// cacheDedupeStep, over a store without a key, deduplicates in memory:
// an event stored within ttl (0: ever, by this process) is a duplicate.
// One delivery at a time, so concurrent copies are no race; what the cache
// has forgotten, or never knew (a restart), is stored again.
func cacheDedupeStep(ttl time.Duration) func(*faults, *receiver.Steps) {
	return func(f *faults, s *receiver.Steps) {
		seen := map[string]time.Time{}
		s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if at, ok := seen[env.Key()]; ok && (ttl == 0 || time.Since(at) < ttl) {
				return false, nil
			}
			isNew, err := f.ref.Store(ctx, env, body)
			if err == nil {
				seen[env.Key()] = time.Now()
			}
			return isNew, err
		}
	}
}
