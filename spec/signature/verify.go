package signature

import (
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors of Verify; callers branch on them with errors.Is.
var (
	ErrNoSecret        = errors.New("no secret configured")
	ErrMissingHeader   = errors.New("missing header")
	ErrMalformedHeader = errors.New("malformed header")
	ErrStaleTimestamp  = errors.New("timestamp too old")
	ErrFutureTimestamp = errors.New("timestamp too far in the future")
	ErrNoMatch         = errors.New("no signature matches")
)

// Verifier checks deliveries against one or more secrets. The zero Tolerance
// means DefaultTolerance; a nil Now means time.Now.
type Verifier struct {
	Secrets   []string
	Tolerance time.Duration
	Now       func() time.Time
}

// NewVerifier returns a Verifier with the default tolerance and clock.
func NewVerifier(secrets ...string) *Verifier { return &Verifier{Secrets: secrets} }

// VerifyRequest verifies the headers of r against body, the raw bytes read
// from r.Body.
func (v *Verifier) VerifyRequest(h http.Header, body []byte) error {
	return v.Verify(h.Get(TimestampHeader), h.Get(SignatureHeader), body)
}

// Verify checks a timestamp header value and a signature header value
// against the raw body. It accepts when any v1 entry matches any secret and
// the timestamp is within the tolerance; entries of other versions are
// ignored.
func (v *Verifier) Verify(timestamp, header string, body []byte) error {
	if len(v.Secrets) == 0 {
		return ErrNoSecret
	}
	if timestamp == "" {
		return fmt.Errorf("%w %s", ErrMissingHeader, TimestampHeader)
	}
	if header == "" {
		return fmt.Errorf("%w %s", ErrMissingHeader, SignatureHeader)
	}
	ts, err := ParseTimestamp(timestamp)
	if err != nil {
		return err
	}
	if err := v.checkTime(ts); err != nil {
		return err
	}
	sigs, err := ParseHeader(header)
	if err != nil {
		return err
	}
	for _, secret := range v.Secrets {
		want, _ := hex.DecodeString(Compute(secret, ts, body))
		for _, got := range sigs {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return ErrNoMatch
}

func (v *Verifier) checkTime(ts int64) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	// Compare instants, not durations: a far-off timestamp (milliseconds
	// sent as seconds) saturates time.Duration and would slip through.
	n, t := now(), time.Unix(ts, 0)
	switch {
	case t.Before(n.Add(-tol)):
		return fmt.Errorf("%w: %s old, tolerance %s", ErrStaleTimestamp, n.Sub(t).Truncate(time.Second), tol)
	case t.After(n.Add(tol)):
		return fmt.Errorf("%w: %s ahead, tolerance %s", ErrFutureTimestamp, t.Sub(n).Truncate(time.Second), tol)
	}
	return nil
}

// ParseTimestamp reads the timestamp header: integer Unix seconds.
func ParseTimestamp(s string) (int64, error) {
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ts < 0 || strings.TrimSpace(s) != s || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%w %s: %q is not integer Unix seconds", ErrMalformedHeader, TimestampHeader, s)
	}
	return ts, nil
}

// ParseHeader returns the decoded digests of the v1 entries of a signature
// header. Entries of another version are skipped; a header with no v1 entry,
// an entry without "=", or a v1 entry that is not 64 lowercase hex digits is
// malformed.
func ParseHeader(header string) ([][]byte, error) {
	var out [][]byte
	for _, entry := range strings.Split(header, Separator) {
		entry = strings.TrimSpace(entry)
		version, value, ok := strings.Cut(entry, "=")
		if !ok || version == "" {
			return nil, fmt.Errorf("%w %s: entry %q is not version=value", ErrMalformedHeader, SignatureHeader, entry)
		}
		if version != Version {
			continue
		}
		if len(value) != 64 || strings.ToLower(value) != value {
			return nil, fmt.Errorf("%w %s: v1 value is not 64 lowercase hex digits", ErrMalformedHeader, SignatureHeader)
		}
		sum, err := hex.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("%w %s: v1 value is not hex", ErrMalformedHeader, SignatureHeader)
		}
		out = append(out, sum)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w %s: no %s entry", ErrMalformedHeader, SignatureHeader, Version)
	}
	return out, nil
}
