package container

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/minivoice/mvh/suites/target"
)

// StateMount is where the state volume is mounted in a receiver container;
// {state_dir} and $MVH_STATE_DIR name it there.
const StateMount = "/state"

// stopGrace is how long docker stop waits before it kills a receiver.
const stopGrace = 5 * time.Second

// WithStateVolume creates a volume for this Run (labelled with the
// session, so Terminate removes it) and mounts it at StateMount with
// MVH_STATE_DIR set: the receiver's database survives a Restart, since
// the container is stopped and started again, never recreated. An image
// whose receiver runs as a non-root user should own StateMount (COPY
// --chown a directory there): Docker gives a new volume the ownership of
// the directory it is mounted on.
func WithStateVolume() Option {
	return func(s *settings) error {
		s.state = true
		return nil
	}
}

// stateVolume creates the session's volume and returns the options that
// mount it.
func (c *Container) stateVolume(ctx context.Context) ([]testcontainers.ContainerCustomizer, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	name := "mvh-state-" + c.Session
	if _, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: name,
		Labels: map[string]string{Label: "1", SessionLabel: c.Session}}); err != nil {
		return nil, fmt.Errorf("container: state volume %s: %w", name, err)
	}
	c.Volume = name
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithMounts(testcontainers.VolumeMount(name, StateMount)),
		testcontainers.WithEnv(map[string]string{target.StateEnv: StateMount}),
	}, nil
}

// Restart stops the container (docker stop for Graceful, docker kill for
// Crash) and starts the same container again, filesystem and volumes
// kept, waiting until it answers as Run did. The published port may
// change, so it returns the webhook URL anew.
func (c *Container) Restart(ctx context.Context, m target.Mode) (string, error) {
	if c == nil || c.DockerContainer == nil {
		return "", fmt.Errorf("container: not started")
	}
	if m == target.Crash {
		if err := c.kill(ctx); err != nil {
			return "", err
		}
	} else if err := c.DockerContainer.Stop(ctx, new(stopGrace)); err != nil {
		return "", fmt.Errorf("container %s: stop: %w", c.Image, err)
	}
	if err := c.DockerContainer.Start(ctx); err != nil {
		return "", fmt.Errorf("container %s: start again: %w", c.Image, err)
	}
	return c.URL(ctx)
}

// kill sends SIGKILL and waits (bounded) until the engine reports the
// container stopped, so the following start really starts it again.
func (c *Container) kill(ctx context.Context) error {
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.ContainerKill(ctx, c.ID, client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("container %s: kill: %w", c.Image, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		st, err := c.DockerContainer.State(ctx)
		if err == nil && !st.Running {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("container %s: still running after kill: %w", c.Image, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
