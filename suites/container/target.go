package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minivoice/mvh/suites/target"
	"github.com/testcontainers/testcontainers-go"
)

// Options describe a receiver container for the conformance suites, the
// fields of `mvh conform --image/--dockerfile`.
type Options struct {
	// Image is an image present locally (pulled once if not); ignored when
	// Dockerfile is set.
	Image string
	// Dockerfile is a build context directory holding a Dockerfile; the built
	// image is removed when the receiver stops.
	Dockerfile string
	// Port is the receiver's port inside the container (default 8080).
	Port int
	// Env are KEY=VALUE pairs with placeholders {secret}, {sink_url}, {port}
	// (the container port), {url} (the webhook URL inside the container) and
	// {state_dir} (StateMount, where the state volume is mounted).
	// They are added to DefaultEnv, and win over it.
	Env []string
	// Path is the webhook URL path (default /webhooks/minivoice).
	Path string
	// ReadyTimeout bounds the wait for the receiver to answer (default 30 s).
	ReadyTimeout time.Duration
	// Logger receives testcontainers' progress at debug level.
	Logger *slog.Logger
}

// DefaultEnv is the environment every receiver container gets, in the
// conventions of the bundled receivers (and PORT, the common one), so that
// `mvh conform --dockerfile receivers/reference` needs no --env at all.
func DefaultEnv() []string {
	return []string{"MVH_SECRET={secret}", "DOWNSTREAM_URL={sink_url}", "PORT={port}"}
}

// NewTarget returns the conformance target that runs o's receiver in a
// container. It implements target.SinkPlacer: containers reach the sink
// through the Docker host gateway, not through loopback.
func NewTarget(o Options) target.Target {
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.Logger == nil {
		o.Logger = discardLogger()
	}
	return &imageTarget{o: o}
}

type imageTarget struct {
	o        Options
	sinkOnce sync.Once
	sink     placement
}

// String describes the target for reports and errors.
func (t *imageTarget) String() string {
	if t.o.Dockerfile != "" {
		return "dockerfile " + t.o.Dockerfile
	}
	return "image " + t.o.Image
}

// SinkHosts says where the sink must listen for the container to reach it.
// With a local engine it binds the Docker bridge gateway, which
// host.docker.internal resolves to inside the container, so the sink is not
// exposed on the machine's other interfaces (see place for the others).
func (t *imageTarget) SinkHosts() (bindHost, advertiseHost string) {
	t.sinkOnce.Do(func() { t.sink = place(context.Background()) })
	return t.sink.sinkBind, t.sink.sinkAdvertise
}

// Start runs the receiver container and waits until it answers. On failure
// it removes whatever it created and returns target.ErrNotReady with the
// container's last output lines.
func (t *imageTarget) Start(ctx context.Context, p target.Params) (*target.Receiver, error) {
	env, err := t.env(p)
	if err != nil {
		return nil, err
	}
	opts := []testcontainers.ContainerCustomizer{
		WithPort(t.o.Port), WithPath(t.o.Path), WithReadyTimeout(t.o.ReadyTimeout),
		WithLogger(t.o.Logger), WithEnv(env...), WithStateVolume(),
	}
	if t.o.Dockerfile != "" {
		opts = append(opts, WithDockerfile(t.o.Dockerfile))
	}
	c, err := Run(ctx, t.o.Image, opts...)
	if err != nil {
		return nil, t.fail(ctx, c, p.Secret, err)
	}
	url, err := c.URL(ctx)
	if err != nil {
		return nil, t.fail(ctx, c, p.Secret, err)
	}
	t.o.Logger.Info("receiver container started", "target", t.String(), "image", c.Image, "url", url)
	return &target.Receiver{
		URL:         url,
		Description: t.String(),
		Logs:        func() []byte { return output(c) },
		Stop:        func(ctx context.Context) error { return c.Terminate(ctx) },
		Exec:        c.ExecOutput,
		Vars:        t.vars(p),
		Restarter:   c,
	}, nil
}

// vars are the placeholder values inside the container, the secret left
// out: also what --inspect-exec's {state_dir} and {port} expand to.
func (t *imageTarget) vars(p target.Params) map[string]string {
	port := strconv.Itoa(t.o.Port)
	return map[string]string{
		target.VarSinkURL:  p.SinkURL,
		target.VarPort:     port,
		target.VarURL:      "http://127.0.0.1:" + port + t.o.Path,
		target.VarStateDir: StateMount,
	}
}

// env is DefaultEnv overridden by Options.Env, placeholders expanded.
func (t *imageTarget) env(p target.Params) ([]string, error) {
	vars := t.vars(p)
	vars[target.VarSecret] = p.Secret
	var env []string
	for _, e := range append(DefaultEnv(), t.o.Env...) {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return nil, fmt.Errorf("%s: env %q: want KEY=VALUE", t, e)
		}
		env = append(env, target.Expand(e, vars))
	}
	return env, nil
}

// fail cleans up after a failed start and says why, with the receiver's
// last words when it printed any (the secret redacted).
func (t *imageTarget) fail(ctx context.Context, c *Container, secret string, cause error) error {
	logs := output(c)
	if err := c.Terminate(ctx); err != nil {
		cause = errors.Join(cause, err)
	}
	var tail string
	if last := lastLines(logs, 10); last != "" {
		if secret != "" {
			last = strings.ReplaceAll(last, secret, "[redacted]")
		}
		tail = "\nlast output of the receiver:\n" + last
	}
	if strings.HasPrefix(cause.Error(), t.String()+": ") { // already names the target: never "image X: image X: ..."
		return fmt.Errorf("%w: %w%s", target.ErrNotReady, cause, tail)
	}
	return fmt.Errorf("%w: %s: %w%s", target.ErrNotReady, t, cause, tail)
}

// output reads the container's output for evidence without the caller's
// context: reports are written after the run, even after Ctrl-C.
func output(c *Container) []byte {
	if c == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, _ := c.Output(ctx)
	return b
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(string(bytes.Join(lines, []byte("\n"))))
}
