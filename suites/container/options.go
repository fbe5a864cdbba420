package container

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// Defaults of a receiver container, matching the bundled receivers' images.
const (
	DefaultPort         = 8080
	DefaultPath         = "/webhooks/minivoice"
	DefaultReadyTimeout = 30 * time.Second
	// pullTimeout bounds the one pull attempt of an image that is not local:
	// on machines without a registry it fails fast instead of retrying for
	// testcontainers' 15 minutes.
	pullTimeout = 2 * time.Minute
)

// settings are the module-level knobs that are not part of testcontainers'
// request: where the webhook listens and how long to wait for it.
type settings struct {
	port         int
	path         string
	readyTimeout time.Duration
	logger       *slog.Logger
	buildDir     string
	state        bool
}

// Option configures the receiver module itself. It also satisfies
// testcontainers.ContainerCustomizer (as a no-op there) so it mixes freely
// with testcontainers' own options in Run, like every testcontainers module.
type Option func(*settings) error

// Customize implements testcontainers.ContainerCustomizer; Run applies the
// Option to the module settings instead.
func (o Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithPort sets the port the receiver listens on inside the container
// (default 8080); it is published on a random loopback port.
func WithPort(port int) Option {
	return func(s *settings) error {
		if port <= 0 || port > 65535 {
			return fmt.Errorf("container port %d: out of range", port)
		}
		s.port = port
		return nil
	}
}

// WithPath sets the webhook URL path (default /webhooks/minivoice).
func WithPath(path string) Option {
	return func(s *settings) error {
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("path %q: must start with /", path)
		}
		s.path = path
		return nil
	}
}

// WithReadyTimeout bounds how long Run waits for the receiver to answer HTTP
// on its port (default 30 s); building an image does not count.
func WithReadyTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("ready timeout %s: must be positive", d)
		}
		s.readyTimeout = d
		return nil
	}
}

// WithLogger routes testcontainers' progress messages to l at debug level,
// because a library never prints.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithDockerfile builds the image from dir (the build context, holding a
// Dockerfile) instead of using a named one. The built image is tagged
// mvh-build/<dir name>:<session> and removed by Terminate.
func WithDockerfile(dir string) Option {
	return func(s *settings) error {
		if dir == "" {
			return fmt.Errorf("dockerfile dir: empty")
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("dockerfile dir %s: %w", dir, err)
		}
		s.buildDir = abs
		return nil
	}
}

// WithSecret hands the receiver its webhook secret in MVH_SECRET, the
// variable the bundled receivers read.
func WithSecret(secret string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"MVH_SECRET": secret})
}

// WithDownstream hands the receiver the URL it forwards business records to
// in DOWNSTREAM_URL, the variable the bundled receivers read. Use SinkHost as
// the host of a URL served by this machine.
func WithDownstream(url string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"DOWNSTREAM_URL": url})
}

// WithEnv sets environment variables given as KEY=VALUE, the form of the
// harness's --env flag.
func WithEnv(kv ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		env := map[string]string{}
		for _, e := range kv {
			k, v, ok := strings.Cut(e, "=")
			if !ok || k == "" {
				return fmt.Errorf("env %q: want KEY=VALUE", e)
			}
			env[k] = v
		}
		return testcontainers.WithEnv(env).Customize(req)
	}
}

// logAdapter turns testcontainers' Printf logging into slog debug records.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Printf(format string, v ...any) {
	a.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "testcontainers")
}

// TestcontainersLogger adapts l for testcontainers' global logger, which
// prints a banner to stderr on first connection. Only cmd/mvh may install
// it (log.SetDefault), since libraries do not configure output.
func TestcontainersLogger(l *slog.Logger) tclog.Logger {
	return logAdapter{l: l}
}
