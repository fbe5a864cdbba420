package signature

import (
	"crypto/hmac"
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

// Verifier checks deliveries against one or more secrets. The zero Scheme
// is DefaultScheme; a non-zero Tolerance overrides the scheme's; a nil Now
// means time.Now.
type Verifier struct {
	Secrets   []string
	Scheme    Scheme
	Tolerance time.Duration
	Now       func() time.Time
}

// NewVerifier returns a Verifier with the default tolerance and clock.
func NewVerifier(secrets ...string) *Verifier { return &Verifier{Secrets: secrets} }

// VerifyRequest verifies the headers of r against body, the raw bytes read
// from r.Body.
func (v *Verifier) VerifyRequest(h http.Header, body []byte) error {
	s := v.Scheme.orDefault()
	return v.Verify(h.Get(s.TimestampHeader), h.Get(s.SignatureHeader), body)
}

// Verify checks a timestamp header value and a signature header value
// against the raw body. It accepts when any v1 entry matches any secret and
// the timestamp is within the tolerance; entries of other versions are
// ignored.
func (v *Verifier) Verify(timestamp, header string, body []byte) error {
	if len(v.Secrets) == 0 {
		return ErrNoSecret
	}
	s := v.Scheme.orDefault()
	if timestamp == "" {
		return fmt.Errorf("%w %s", ErrMissingHeader, s.TimestampHeader)
	}
	if header == "" {
		return fmt.Errorf("%w %s", ErrMissingHeader, s.SignatureHeader)
	}
	ts, err := s.ParseTimestamp(timestamp)
	if err != nil {
		return err
	}
	if err := v.checkTime(ts); err != nil {
		return err
	}
	sigs, err := s.ParseHeader(header)
	if err != nil {
		return err
	}
	msg := s.message(ts, body)
	for _, secret := range v.Secrets {
		want := hmacSum(secret, msg)
		for _, got := range sigs {
			if hmac.Equal(got, want[:]) {
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
		tol = v.Scheme.orDefault().Tolerance
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
func ParseTimestamp(s string) (int64, error) { return DefaultScheme().ParseTimestamp(s) }

// ParseTimestamp reads the timestamp header: integer Unix seconds.
func (s Scheme) ParseTimestamp(v string) (int64, error) {
	ts, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ts < 0 || strings.TrimSpace(v) != v || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("%w %s: %q is not integer Unix seconds", ErrMalformedHeader, s.orDefault().TimestampHeader, v)
	}
	return ts, nil
}

// ParseHeader is DefaultScheme().ParseHeader: the decoded digests of the v1
// entries of a signature header.
func ParseHeader(header string) ([][]byte, error) { return DefaultScheme().ParseHeader(header) }
