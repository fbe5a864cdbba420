// Package delivery is what a sender does to one webhook request: build and
// sign it the contract's way, send it, send it and drop the connection
// before the answer, and check a target URL first. The mock engine, the
// fixtures, the listen inbox and the conformance checks all make their
// requests here, so there is one way a delivery looks on the wire. It
// imports only spec and spec/signature.
package delivery

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// Request is one delivery as a sender puts it on the wire.
type Request struct {
	// Method is POST when empty.
	Method string
	URL    string
	// Event fills the X-MiniVoice-Event header; empty sends none.
	Event string
	// Header, when set, replaces the default Content-Type
	// (application/json) with these headers, a replayed fixture's; its
	// timestamp and signature headers are dropped for fresh ones.
	Header map[string]string
	// Body is the bytes sent; Signed, when set, the bytes signed instead
	// (a body tampered with after signing).
	Body, Signed []byte
	// Signing is how the signature headers are made (SignValid when
	// empty), at Now for a receiver holding Secrets, Skew as in Headers.
	Signing Signing
	Secrets []string
	Now     time.Time
	Skew    time.Duration
	// UserAgent says which part of mvh sent it; mvh-mock/1 when empty.
	UserAgent string
	// Scheme names the headers and makes the signature: the contract's
	// x-minivoice-signature (spec.Scheme.Signing); zero is the published one.
	Scheme signature.Scheme
}

// Build makes r into a request for ctx, after the checks of CheckURL. The
// body bytes go out exactly as given. It parses the URL once and signs
// straight into the request: mvh load builds one per attempt.
func (r Request) Build(ctx context.Context) (*http.Request, error) {
	method, kind, signed, ua := r.Method, r.Signing, r.Signed, r.UserAgent
	if method == "" {
		method = http.MethodPost
	}
	if kind == "" {
		kind = SignValid
	}
	if signed == nil {
		signed = r.Body
	}
	if ua == "" {
		ua = "mvh-mock/1"
	}
	sc := r.Scheme.WithDefaults()
	ts, sig, signs, err := schemeSignature(sc, kind, r.Now, signed, r.Skew, r.Secrets)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		if cerr := CheckURL(r.URL); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("url %s: %w", r.URL, err)
	}
	if err := checkParsed(r.URL, req.URL); err != nil {
		return nil, err
	}
	req.Header = make(http.Header, len(r.Header)+5)
	h := headerSetter{h: req.Header, vals: make([]string, 0, len(r.Header)+5)}
	if r.Header == nil {
		h.set("Content-Type", "application/json")
	}
	for k, v := range r.Header {
		if !strings.EqualFold(k, sc.TimestampHeader) && !strings.EqualFold(k, sc.SignatureHeader) {
			h.set(k, v)
		}
	}
	h.set("User-Agent", ua)
	if r.Event != "" {
		h.set(sc.EventHeader, r.Event)
	}
	if signs {
		h.set(sc.TimestampHeader, strconv.FormatInt(ts, 10))
		h.set(sc.SignatureHeader, sig)
	}
	return req, nil
}

// headerSetter sets headers like http.Header.Set, with every value in one
// backing array: a request's headers cost one allocation, not one each.
type headerSetter struct {
	h    http.Header
	vals []string
}

func (s *headerSetter) set(k, v string) {
	s.vals = append(s.vals, v)
	n := len(s.vals)
	s.h[http.CanonicalHeaderKey(k)] = s.vals[n-1 : n : n]
}

// NewRequest builds one attempt of the mock engine: a POST of body to
// target with the contract's headers, signed at now with every secret
// (unsigned when there is none).
func NewRequest(ctx context.Context, target, event string, body []byte, now time.Time, secrets ...string) (*http.Request, error) {
	return Request{URL: target, Event: event, Body: body, Now: now, Secrets: secrets}.Build(ctx)
}

// CheckURL accepts absolute http and https URLs with a usable port only, so
// a typo is refused at once rather than retried on the schedule for hours.
func CheckURL(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("url %q: %w", target, err)
	}
	return checkParsed(target, u)
}

// checkParsed is CheckURL's judgement of target, already parsed as u.
func checkParsed(target string, u *url.URL) error {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: want an absolute http:// or https:// URL", target)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("url %q: port %s: want 1 to 65535", target, p)
		}
	}
	return nil
}
