package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scheme is one signing scheme: the header names, the signed-content
// template, the entry prefix and separator, and the timestamp tolerance.
// Package spec fills it from the contract's x-minivoice-signature, so a
// contract that renames a header or narrows the tolerance changes what is
// signed and verified without a code change; this package keeps importing
// nothing of mvh. The algorithm is always HMAC-SHA256 and the encoding
// lowercase hex: spec's linter refuses a contract that asks for others.
type Scheme struct {
	TimestampHeader string
	SignatureHeader string
	EventHeader     string
	// Content is the signed-content template; "{timestamp}" and "{body}"
	// each occur once.
	Content string
	// Prefix starts each entry, e.g. "v1="; it is "<version>=".
	Prefix    string
	Separator string
	Tolerance time.Duration
}

// DefaultScheme is MiniVoice's published scheme, the one the embedded
// contract describes; a test in spec keeps the two equal.
func DefaultScheme() Scheme {
	return Scheme{
		TimestampHeader: TimestampHeader,
		SignatureHeader: SignatureHeader,
		EventHeader:     EventHeader,
		Content:         "{timestamp}.{body}",
		Prefix:          Version + "=",
		Separator:       Separator,
		Tolerance:       DefaultTolerance,
	}
}

// orDefault fills the zero fields of s from DefaultScheme, so the zero
// Scheme is the published one.
func (s Scheme) orDefault() Scheme {
	d := DefaultScheme()
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&s.TimestampHeader, d.TimestampHeader)
	fill(&s.SignatureHeader, d.SignatureHeader)
	fill(&s.EventHeader, d.EventHeader)
	fill(&s.Content, d.Content)
	fill(&s.Prefix, d.Prefix)
	fill(&s.Separator, d.Separator)
	if s.Tolerance <= 0 {
		s.Tolerance = d.Tolerance
	}
	return s
}

// Check reports why s cannot be honoured, or nil: spec's linter words its
// errors from this one place.
func (s Scheme) Check() error {
	switch {
	case strings.Count(s.Content, "{timestamp}") != 1 || strings.Count(s.Content, "{body}") != 1:
		return fmt.Errorf("signed-content %q: want {timestamp} and {body} once each", s.Content)
	case strings.Count(strings.NewReplacer("{timestamp}", "", "{body}", "").Replace(s.Content), "{") > 0:
		return fmt.Errorf("signed-content %q: only {timestamp} and {body} are known", s.Content)
	case !strings.HasSuffix(s.Prefix, "=") || strings.Count(s.Prefix, "=") != 1 || len(s.Prefix) < 2:
		return fmt.Errorf("prefix %q: want <version>=, e.g. v1=", s.Prefix)
	case s.Separator == "" || strings.Contains(s.Prefix, s.Separator) || strings.ContainsAny(s.Separator, "=0123456789abcdef"):
		return fmt.Errorf("separator %q: want a non-empty string that cannot occur in an entry", s.Separator)
	case s.Tolerance <= 0:
		return fmt.Errorf("tolerance %s: want a positive duration", s.Tolerance)
	}
	return nil
}

// Version is the version of the entries this scheme computes: the prefix
// without its "=".
func (s Scheme) Version() string { return strings.TrimSuffix(s.orDefault().Prefix, "=") }

// SignedContent is the exact string the HMAC covers; diagnostics show it so
// a receiver author can compare with what their code hashed.
func (s Scheme) SignedContent(ts int64, body []byte) string {
	return strings.NewReplacer("{timestamp}", strconv.FormatInt(ts, 10), "{body}", string(body)).Replace(s.orDefault().Content)
}

// Compute returns the lowercase hex HMAC-SHA256 of the signed content keyed
// with secret: the value of one entry, without its prefix.
func (s Scheme) Compute(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	before, after, _ := strings.Cut(s.orDefault().Content, "{body}")
	stamp := strconv.FormatInt(ts, 10)
	mac.Write([]byte(strings.ReplaceAll(before, "{timestamp}", stamp)))
	mac.Write(body)
	mac.Write([]byte(strings.ReplaceAll(after, "{timestamp}", stamp)))
	return hex.EncodeToString(mac.Sum(nil))
}

// Sign returns the signature header value for body at ts: one entry per
// secret, in the order given.
func (s Scheme) Sign(ts int64, body []byte, secrets ...string) string {
	s = s.orDefault()
	entries := make([]string, len(secrets))
	for i, secret := range secrets {
		entries[i] = s.Prefix + s.Compute(secret, ts, body)
	}
	return strings.Join(entries, s.Separator)
}

// Headers returns the timestamp and signature headers for a delivery signed
// at now, or nil when no secret is configured (MiniVoice then sends neither).
func (s Scheme) Headers(now time.Time, body []byte, secrets ...string) map[string]string {
	if len(secrets) == 0 {
		return nil
	}
	s = s.orDefault()
	ts := now.Unix()
	return map[string]string{
		s.TimestampHeader: strconv.FormatInt(ts, 10),
		s.SignatureHeader: s.Sign(ts, body, secrets...),
	}
}

// Entries splits a signature header into its entries, trimmed.
func (s Scheme) Entries(header string) []string {
	parts := strings.Split(header, s.orDefault().Separator)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// ParseHeader returns the decoded digests of this scheme's entries of a
// signature header. Entries of another version are skipped; a header with
// no entry of this version, an entry without "=", or an entry of this
// version that is not 64 lowercase hex digits is malformed.
func (s Scheme) ParseHeader(header string) ([][]byte, error) {
	s = s.orDefault()
	version := s.Version()
	var out [][]byte
	for _, entry := range s.Entries(header) {
		v, value, ok := strings.Cut(entry, "=")
		if !ok || v == "" {
			return nil, fmt.Errorf("%w %s: entry %q is not version=value", ErrMalformedHeader, s.SignatureHeader, entry)
		}
		if v != version {
			continue
		}
		if len(value) != 64 || strings.ToLower(value) != value {
			return nil, fmt.Errorf("%w %s: %s value is not 64 lowercase hex digits", ErrMalformedHeader, s.SignatureHeader, version)
		}
		sum, err := hex.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %s value is not hex", ErrMalformedHeader, s.SignatureHeader, version)
		}
		out = append(out, sum)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w %s: no %s entry", ErrMalformedHeader, s.SignatureHeader, version)
	}
	return out, nil
}
