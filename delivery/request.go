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
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// NewRequest builds one delivery attempt: a POST of body to target with the
// contract's headers, signed at now with every secret (unsigned when there is
// none). The body bytes are sent exactly as given.
func NewRequest(ctx context.Context, target, event string, body []byte, now time.Time, secrets ...string) (*http.Request, error) {
	if err := CheckURL(target); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("url %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "mvh-mock/1")
	if event != "" {
		req.Header.Set(signature.EventHeader, event)
	}
	for k, v := range signature.Headers(now, body, secrets...) {
		req.Header.Set(k, v)
	}
	return req, nil
}

// CheckURL accepts absolute http and https URLs with a usable port only, so
// a typo is refused at once rather than retried on the schedule for hours.
func CheckURL(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("url %q: %w", target, err)
	}
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
