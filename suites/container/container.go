// Package container runs a webhook receiver from a container image (or a
// Dockerfile) for the conformance suites, shaped like a testcontainers-go
// module: Run returns a *Container, always, so the caller can Terminate
// whatever was created even when starting failed.
//
// The machines this harness runs on reach no image registry, so the Ryuk
// reaper cannot be pulled: the package sets TESTCONTAINERS_RYUK_DISABLED=true
// unless it is set already, and cleans up itself: everything it creates carries Label and a
// per-run SessionLabel, and Terminate removes the container, its volumes
// (the state volume of WithStateVolume included), a built image, and
// anything else carrying the session label.
package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Labels on every container and image this package creates: Label marks
// them as the harness's, SessionLabel ties them to one Run for cleanup.
const (
	Label        = "org.minivoice.mvh"
	SessionLabel = "org.minivoice.mvh.session"
)

// SinkHost is the name a container uses to reach this machine: Run maps it
// to Docker's host gateway, so no image (and no registry) is needed.
const SinkHost = "host.docker.internal"

// terminateTimeout bounds cleanup, which runs on a context detached from the
// caller's: after Ctrl-C the caller's context is already done, and cleanup
// must still happen.
const terminateTimeout = 30 * time.Second

// maxLogBytes bounds the captured output kept for evidence.
const maxLogBytes = 1 << 20

// Container is a started (or partly started) receiver container.
type Container struct {
	// DockerContainer is nil when nothing was created (a failed build).
	*testcontainers.DockerContainer
	// Session is the value of SessionLabel on everything this Run created.
	Session string
	// Image is the image run: the given name, or the tag of the built image.
	Image string
	// Built says the image was built by Run and is removed by Terminate.
	Built bool
	// Volume is the state volume (WithStateVolume), removed by Terminate.
	Volume string

	port  network.Port
	path  string
	place placement

	mu         sync.Mutex
	logs       []byte // captured when terminated
	terminated bool
}

// Run starts a receiver container from image (ignored with WithDockerfile),
// publishes its port on a random 127.0.0.1 port, maps SinkHost to the host
// gateway, and waits until it answers HTTP on its webhook path (any status:
// a GET on a POST-only endpoint rightly gets 405). Module options (Option)
// and testcontainers options mix; later options win.
func Run(ctx context.Context, image string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	disableReaper()
	c := &Container{Session: newSession(), Image: image}
	s := settings{port: DefaultPort, path: DefaultPath, readyTimeout: DefaultReadyTimeout, logger: discardLogger()}
	var rest []testcontainers.ContainerCustomizer
	for _, o := range opts {
		if mo, ok := o.(Option); ok {
			if err := mo(&s); err != nil {
				return c, fmt.Errorf("container: %w", err)
			}
			continue
		}
		rest = append(rest, o)
	}
	c.port = network.MustParsePort(fmt.Sprintf("%d/tcp", s.port))
	c.path = s.path
	c.place = place(ctx)
	if s.buildDir != "" {
		c.Image, c.Built = buildTag(s.buildDir, c.Session), true
		if err := c.build(ctx, s); err != nil {
			return c, err
		}
	} else if err := ensureImage(ctx, image); err != nil {
		return c, err
	}
	base := c.baseOptions(s)
	if s.state {
		mount, err := c.stateVolume(ctx)
		if err != nil {
			return c, err
		}
		base = append(base, mount...)
	}
	ctr, err := testcontainers.Run(ctx, c.Image, append(base, rest...)...)
	c.DockerContainer = ctr
	if err != nil {
		return c, fmt.Errorf("container %s: %w", c.Image, err)
	}
	return c, nil
}

// baseOptions are the testcontainers options every receiver container gets.
func (c *Container) baseOptions(s settings) []testcontainers.ContainerCustomizer {
	ready := atHost{host: c.place.reachHost, Strategy: wait.ForHTTP(s.path).
		WithPort(c.port.String()).
		WithStatusCodeMatcher(func(int) bool { return true }).
		WithPollInterval(100 * time.Millisecond).
		WithStartupTimeout(s.readyTimeout)}
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(logAdapter{l: s.logger}),
		testcontainers.WithLabels(map[string]string{Label: "1", SessionLabel: c.Session}),
		testcontainers.WithExposedPorts(c.port.String()),
		testcontainers.WithHostConfigModifier(c.hostConfig),
		testcontainers.WithWaitStrategy(ready),
	}
}

// hostConfig publishes the receiver on loopback only when the engine is
// local (the harness exposes nothing beyond this machine) and makes
// SinkHost resolve to the Docker host gateway.
func (c *Container) hostConfig(hc *container.HostConfig) {
	if c.place.loopback {
		if hc.PortBindings == nil {
			hc.PortBindings = network.PortMap{}
		}
		hc.PortBindings[c.port] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
	}
	hc.ExtraHosts = append(hc.ExtraHosts, SinkHost+":host-gateway")
}

// URL is the receiver's webhook URL as reached from this machine
// (http://127.0.0.1:PORT/path with a local engine).
func (c *Container) URL(ctx context.Context) (string, error) {
	if c == nil || c.DockerContainer == nil {
		return "", errors.New("container: not started")
	}
	p, err := c.MappedPort(ctx, c.port.String())
	if err != nil {
		return "", fmt.Errorf("container %s: port %s: %w", c.Image, c.port, err)
	}
	return fmt.Sprintf("http://%s%s", net.JoinHostPort(c.place.reachHost, strconv.Itoa(int(p.Num()))), c.path), nil
}

// Output returns what the receiver printed (stdout and stderr interleaved),
// for the report's evidence; after Terminate, what it printed until then.
func (c *Container) Output(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terminated || c.DockerContainer == nil {
		return c.logs, nil
	}
	return c.readLogs(ctx)
}

// Terminate stops and removes the container with its volumes, removes a
// built image, then anything else labelled with this session. It runs
// detached from ctx's cancellation (bounded by terminateTimeout) so that
// Ctrl-C still cleans up, and is safe to call more than once.
func (c *Container) Terminate(ctx context.Context, opts ...testcontainers.TerminateOption) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terminated {
		return nil
	}
	c.terminated = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), terminateTimeout)
	defer cancel()
	var errs []error
	if c.DockerContainer != nil {
		c.logs, _ = c.readLogs(ctx)
		opts = append([]testcontainers.TerminateOption{testcontainers.StopTimeout(5 * time.Second)}, opts...)
		if err := c.DockerContainer.Terminate(ctx, opts...); err != nil {
			errs = append(errs, err)
		}
	}
	if err := removeSession(ctx, c.Session); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("container %s: terminate: %w", c.Image, err)
	}
	return nil
}

// readLogs reads the whole log; the caller holds c.mu.
func (c *Container) readLogs(ctx context.Context) ([]byte, error) {
	rc, err := c.DockerContainer.Logs(ctx)
	if err != nil {
		return c.logs, fmt.Errorf("container %s: logs: %w", c.Image, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if len(b) > maxLogBytes {
		b = b[len(b)-maxLogBytes:] // the end says why it failed
	}
	return b, err
}

// newSession returns a random id that names one Run's resources.
func newSession() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
