package signature

import (
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

// WithDefaults is s with its zero fields filled from DefaultScheme, so the
// zero Scheme is the published one.
func (s Scheme) WithDefaults() Scheme { return s.orDefault() }

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
	sum := hmacSum(secret, s.orDefault().message(ts, body))
	return hex.EncodeToString(sum[:])
}

// Sign returns the signature header value for body at ts: one entry per
// secret, in the order given. It allocates the message once for every
// secret and the header once: a sender signs every attempt afresh.
func (s Scheme) Sign(ts int64, body []byte, secrets ...string) string {
	if len(secrets) == 0 {
		return ""
	}
	s = s.orDefault()
	msg := s.message(ts, body)
	var b strings.Builder
	b.Grow(len(secrets)*(len(s.Prefix)+hex.EncodedLen(sha256.Size)) + (len(secrets)-1)*len(s.Separator))
	var digits [2 * sha256.Size]byte
	for i, secret := range secrets {
		if i > 0 {
			b.WriteString(s.Separator)
		}
		sum := hmacSum(secret, msg)
		hex.Encode(digits[:], sum[:])
		b.WriteString(s.Prefix)
		b.Write(digits[:])
	}
	return b.String()
}

// message is a block of room for HMAC's inner pad followed by the signed
// content, so hmacSum hashes it in one call without copying the body again.
func (s Scheme) message(ts int64, body []byte) []byte {
	var digits [20]byte
	stamp := strconv.AppendInt(digits[:0], ts, 10)
	msg := make([]byte, sha256.BlockSize, sha256.BlockSize+len(s.Content)+len(stamp)+len(body))
	for tpl := s.Content; tpl != ""; {
		i := strings.IndexByte(tpl, '{')
		switch {
		case i < 0:
			msg, tpl = append(msg, tpl...), ""
		case strings.HasPrefix(tpl[i:], "{timestamp}"):
			msg, tpl = append(append(msg, tpl[:i]...), stamp...), tpl[i+len("{timestamp}"):]
		case strings.HasPrefix(tpl[i:], "{body}"):
			msg, tpl = append(append(msg, tpl[:i]...), body...), tpl[i+len("{body}"):]
		default:
			msg, tpl = append(msg, tpl[:i+1]...), tpl[i+1:]
		}
	}
	return msg
}

// hmacSum is HMAC-SHA256 (RFC 2104) keyed with secret of msg[BlockSize:];
// it overwrites msg's first block with the inner pad. Written out with
// sha256.Sum256 rather than crypto/hmac so that signing allocates nothing
// beyond the message and the header (hmac.New allocates two digests and
// both pads per call).
func hmacSum(secret string, msg []byte) [sha256.Size]byte {
	var key [sha256.BlockSize]byte
	if len(secret) > sha256.BlockSize {
		k := sha256.Sum256([]byte(secret))
		copy(key[:], k[:])
	} else {
		copy(key[:], secret)
	}
	var outer [sha256.BlockSize + sha256.Size]byte
	for i, k := range key {
		msg[i], outer[i] = k^0x36, k^0x5c
	}
	inner := sha256.Sum256(msg)
	copy(outer[sha256.BlockSize:], inner[:])
	return sha256.Sum256(outer[:])
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
