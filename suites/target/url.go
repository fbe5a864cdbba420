package target

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// URL is a receiver that is already running (or still starting, say in a
// neighbouring container); the harness waits until it accepts connections,
// then only delivers to it and never starts or stops anything.
type URL struct {
	URL string
	// ReadyTimeout bounds the wait until the URL's host accepts connections.
	ReadyTimeout time.Duration
}

// Start checks the URL and waits until it listens; p is unused because the
// receiver was configured by whoever started it.
func (u URL) Start(ctx context.Context, _ Params) (*Receiver, error) {
	parsed, err := url.Parse(u.URL)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, fmt.Errorf("target url %q: want an absolute http:// or https:// URL", u.URL)
	}
	if err := awaitListening(ctx, u.URL, u.ReadyTimeout, nil); err != nil {
		return nil, fmt.Errorf("target %s: %w", u, err)
	}
	return &Receiver{URL: u.URL, Description: u.String()}, nil
}

func (u URL) String() string { return "url " + u.URL }
