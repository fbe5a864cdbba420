package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ErrNoDocker is returned by Available when no Docker engine answers, so
// tests can skip (or, with MVH_REQUIRE_DOCKER=1, fail) with a clear reason.
var ErrNoDocker = errors.New("docker engine not available")

// dockerClient connects to the engine testcontainers would use (DOCKER_HOST,
// the docker context, the default socket); the API version is negotiated,
// which is what lets a recent client talk to an engine with API 1.41.
func dockerClient(ctx context.Context) (*testcontainers.DockerClient, error) {
	disableReaper()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	return cli, nil
}

// ReaperEnv is testcontainers' switch for its reaper (Ryuk).
const ReaperEnv = "TESTCONTAINERS_RYUK_DISABLED"

var reaperOnce sync.Once

// disableReaper turns the Ryuk reaper off unless the user chose otherwise:
// its image cannot be pulled where mvh runs (no registry), and this package
// removes what it creates itself. testcontainers reads its configuration
// once, from the environment, so this must run before any of its calls;
// setting the process environment is the only knob it offers.
func disableReaper() {
	reaperOnce.Do(func() {
		if _, set := os.LookupEnv(ReaperEnv); !set {
			_ = os.Setenv(ReaperEnv, "true")
		}
	})
}

// Available reports whether a Docker engine answers within a few seconds.
func Available(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	return nil
}

// ensureImage makes image present locally, pulling it once if it is not:
// testcontainers would retry a failing pull for 15 minutes, and on machines
// without a registry the answer is known at the first attempt.
func ensureImage(ctx context.Context, image string) error {
	if image == "" {
		return errors.New("container: no image and no dockerfile")
	}
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.ImageInspect(ctx, image); err == nil {
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("image %s: %w", image, err)
	}
	ctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	resp, err := cli.ImagePull(ctx, image, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(ctx)
		_ = resp.Close()
	}
	if err != nil {
		return fmt.Errorf("image %s: not present locally, and pulling it failed (build or load it first): %w", image, err)
	}
	return nil
}

// removeSession removes every container and image labelled with session:
// what testcontainers' Terminate missed, such as an image built before the
// container could be created, or a container whose start was interrupted.
func removeSession(ctx context.Context, session string) error {
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	filter := make(client.Filters).Add("label", SessionLabel+"="+session)
	var errs []error
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	errs = append(errs, err)
	for _, c := range cs.Items {
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		errs = append(errs, ignoreNotFound(err))
	}
	is, err := cli.ImageList(ctx, client.ImageListOptions{All: true, Filters: filter})
	errs = append(errs, err)
	for _, im := range is.Items {
		_, err := cli.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		errs = append(errs, ignoreNotFound(err))
	}
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
	errs = append(errs, err)
	for _, v := range vs.Items {
		_, err := cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
		errs = append(errs, ignoreNotFound(err))
	}
	return errors.Join(errs...)
}

func ignoreNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// LeftoverVolumes lists the volumes carrying Label, by name: after a run
// of the harness it must be empty, like Leftovers.
func LeftoverVolumes(ctx context.Context) ([]string, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: make(client.Filters).Add("label", Label)})
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var names []string
	for _, v := range vs.Items {
		names = append(names, v.Name)
	}
	return names, nil
}

// Leftovers lists the containers and images carrying Label, by ID: after a
// run of the harness both must be empty, which the tests assert.
func Leftovers(ctx context.Context) (containers, images []string, err error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer cli.Close()
	filter := make(client.Filters).Add("label", Label)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return nil, nil, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		containers = append(containers, c.ID)
	}
	is, err := cli.ImageList(ctx, client.ImageListOptions{All: true, Filters: filter})
	if err != nil {
		return nil, nil, fmt.Errorf("list images: %w", err)
	}
	for _, im := range is.Items {
		images = append(images, im.ID)
	}
	return containers, images, nil
}
