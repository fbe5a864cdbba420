package spec

import (
	"fmt"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// Scheme is the signing scheme of x-minivoice-signature. spec/signature
// implements it; a test keeps the two in agreement.
type Scheme struct {
	TimestampHeader string        `json:"timestamp_header"`
	SignatureHeader string        `json:"signature_header"`
	EventHeader     string        `json:"event_header"`
	Algorithm       string        `json:"algorithm"`
	SignedContent   string        `json:"signed_content"`
	Encoding        string        `json:"encoding"`
	Prefix          string        `json:"prefix"`
	Separator       string        `json:"separator"`
	Tolerance       time.Duration `json:"tolerance"`
}

// RetryPolicy is the delivery schedule of x-minivoice-retry: attempt i starts
// Schedule[i] after the delivery was created, each delay varied by ±Jitter.
type RetryPolicy struct {
	Schedule       []time.Duration `json:"schedule"`
	Jitter         float64         `json:"jitter"`
	AttemptTimeout time.Duration   `json:"attempt_timeout"`
}

// SchemeKeys are the keys x-minivoice-signature must carry; a fresh slice
// each call, so no caller can change another's.
func SchemeKeys() []string {
	return []string{"timestamp-header", "signature-header", "event-header", "algorithm", "signed-content", "encoding", "prefix", "separator", "tolerance"}
}

// RetryKeys are the keys x-minivoice-retry must carry.
func RetryKeys() []string { return []string{"schedule", "jitter", "attempt-timeout"} }

func extension(ext map[string]any, name string, keys []string) (map[string]any, error) {
	m, ok := ext[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s missing or not a mapping", ErrInvalid, name)
	}
	var missing []string
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s lacks %s", ErrInvalid, name, strings.Join(missing, ", "))
	}
	return m, nil
}

// keyError is a problem with one key of an extension, so the linter can
// point at that key's line.
type keyError struct {
	ext, key string
	err      error
}

func (e keyError) Error() string { return fmt.Sprintf("%s %s: %v", e.ext, e.key, e.err) }
func (e keyError) Unwrap() error { return ErrInvalid }

func parseScheme(ext map[string]any) (Scheme, error) {
	const name = "x-minivoice-signature"
	m, err := extension(ext, name, SchemeKeys())
	if err != nil {
		return Scheme{}, err
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	tol, err := duration(m["tolerance"])
	if err != nil {
		return Scheme{}, keyError{name, "tolerance", err}
	}
	s := Scheme{
		TimestampHeader: str("timestamp-header"),
		SignatureHeader: str("signature-header"),
		EventHeader:     str("event-header"),
		Algorithm:       str("algorithm"),
		SignedContent:   str("signed-content"),
		Encoding:        str("encoding"),
		Prefix:          str("prefix"),
		Separator:       str("separator"),
		Tolerance:       tol,
	}
	for _, k := range []string{"timestamp-header", "signature-header", "event-header"} {
		if h := str(k); h == "" || strings.ContainsAny(h, " :\t\r\n") {
			return Scheme{}, keyError{name, k, fmt.Errorf("%q is not an HTTP header name", h)}
		}
	}
	if s.Algorithm != "HMAC-SHA256" {
		return Scheme{}, keyError{name, "algorithm", fmt.Errorf("%q: only HMAC-SHA256 is implemented", s.Algorithm)}
	}
	if s.Encoding != "hex" {
		return Scheme{}, keyError{name, "encoding", fmt.Errorf("%q: only hex is implemented", s.Encoding)}
	}
	if err := s.Signing().Check(); err != nil {
		key, _, _ := strings.Cut(err.Error(), " ")
		return Scheme{}, keyError{name, key, err}
	}
	return s, nil
}

// Signing is the scheme as spec/signature runs it: what mock, fixtures,
// listen and conform sign and verify with.
func (s Scheme) Signing() signature.Scheme {
	return signature.Scheme{
		TimestampHeader: s.TimestampHeader,
		SignatureHeader: s.SignatureHeader,
		EventHeader:     s.EventHeader,
		Content:         s.SignedContent,
		Prefix:          s.Prefix,
		Separator:       s.Separator,
		Tolerance:       s.Tolerance,
	}
}

func parseRetry(ext map[string]any) (RetryPolicy, error) {
	m, err := extension(ext, "x-minivoice-retry", RetryKeys())
	if err != nil {
		return RetryPolicy{}, err
	}
	list, ok := m["schedule"].([]any)
	if !ok || len(list) == 0 {
		return RetryPolicy{}, fmt.Errorf("%w: x-minivoice-retry schedule must be a non-empty list", ErrInvalid)
	}
	var p RetryPolicy
	for i, v := range list {
		d, err := duration(v)
		if err != nil {
			return RetryPolicy{}, fmt.Errorf("%w: x-minivoice-retry schedule[%d]: %v", ErrInvalid, i, err)
		}
		if i > 0 && d < p.Schedule[i-1] {
			return RetryPolicy{}, fmt.Errorf("%w: x-minivoice-retry schedule[%d] %s is before schedule[%d]", ErrInvalid, i, d, i-1)
		}
		p.Schedule = append(p.Schedule, d)
	}
	j, ok := m["jitter"].(float64)
	if !ok || j < 0 || j >= 1 {
		return RetryPolicy{}, fmt.Errorf("%w: x-minivoice-retry jitter must be a number in [0, 1)", ErrInvalid)
	}
	p.Jitter = j
	if p.AttemptTimeout, err = duration(m["attempt-timeout"]); err != nil || p.AttemptTimeout <= 0 {
		return RetryPolicy{}, fmt.Errorf("%w: x-minivoice-retry attempt-timeout must be a positive duration", ErrInvalid)
	}
	return p, nil
}

// duration accepts Go duration strings ("5s", "2m", "1h").
func duration(v any) (time.Duration, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("%v is not a duration string", v)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", s)
	}
	return d, nil
}
