package delivery

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// ErrTLS marks TLS settings a sender cannot use (an unreadable CA file, one
// with no certificate): bad input.
var ErrTLS = errors.New("tls settings")

// TLS is how a sender trusts a receiver's certificate: the system's roots,
// plus those of CAFile (a staging or company CA), or, for a throwaway test
// setup only, no verification at all.
type TLS struct {
	CAFile             string
	InsecureSkipVerify bool
}

// RegisterFlags binds --ca-file and --insecure-skip-verify.
func (t *TLS) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&t.CAFile, "ca-file", "", "PEM `file` of CA certificates to trust for https:// receivers, besides the system's")
	fs.BoolVar(&t.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify https:// receivers' certificates (test setups only)")
}

// Config is the tls.Config t describes, nil for the defaults.
func (t TLS) Config() (*tls.Config, error) {
	if t.CAFile == "" && !t.InsecureSkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // asked for by name
	if t.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(t.CAFile)
	if err != nil {
		return nil, fmt.Errorf("%w: ca-file %s: %v", ErrTLS, t.CAFile, unwrapPath(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: ca-file %s: no PEM certificate in it", ErrTLS, t.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ClientOptions shape a sender's HTTP client.
type ClientOptions struct {
	// Conns is how many keep-alive connections to one receiver are kept
	// (the sender's concurrency); 0 means 64.
	Conns int
	// Timeout bounds a whole exchange; 0 leaves it to the request's context.
	Timeout time.Duration
	TLS     TLS
}

// NewClient is the HTTP client of every mvh sender (the mock's engine, the
// conformance checks, fixture replay, load): never a proxy from the
// environment (mvh talks to the URL it was given), never a redirect
// followed (a 3xx is a non-2xx answer, as for MiniVoice), no transparent
// compression, keep-alive sized to the sender's concurrency.
func NewClient(o ClientOptions) (*http.Client, error) {
	tc, err := o.TLS.Config()
	if err != nil {
		return nil, err
	}
	if o.Conns <= 0 {
		o.Conns = 64
	}
	return &http.Client{
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			Proxy:               nil,
			TLSClientConfig:     tc,
			MaxIdleConns:        o.Conns,
			MaxIdleConnsPerHost: o.Conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			TLSHandshakeTimeout: 10 * time.Second,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		},
	}, nil
}
