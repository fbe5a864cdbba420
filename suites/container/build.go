package container

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

const (
	// buildTimeout bounds an image build, which no longer follows the
	// caller's context (see build).
	buildTimeout = 15 * time.Minute
	// interruptGrace is how long an interrupted build may still run so that
	// its layers can be removed; after it the build is abandoned.
	interruptGrace = 2 * time.Minute
)

// build builds s.buildDir into c.Image with testcontainers' FromDockerfile,
// labelled with the session so Terminate removes it with its layers.
//
// The build does not stop at the caller's cancellation: an engine whose
// build is cancelled mid-way keeps the finished steps as unlabelled
// intermediate images, which nothing could then tell apart from other
// builds' cache. On Ctrl-C the build runs to its end (for interruptGrace at
// most; FROM scratch images take seconds) and Run returns the interruption,
// with an image Terminate can remove. That is also why Run builds first
// instead of handing FromDockerfile to testcontainers.Run.
func (c *Container) build(ctx context.Context, s settings) error {
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		s.logger.Info("interrupted: letting the image build finish so that it can be removed", "image", c.Image)
		select {
		case <-time.After(interruptGrace):
			cancel()
		case <-bctx.Done():
		}
	})
	defer stop()
	p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(logAdapter{l: s.logger}))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoDocker, err)
	}
	defer p.Close()
	repo, tag, _ := strings.Cut(c.Image, ":")
	req := testcontainers.ContainerRequest{
		FromDockerfile: testcontainers.FromDockerfile{Context: s.buildDir, Repo: repo, Tag: tag},
		Labels:         map[string]string{Label: "1", SessionLabel: c.Session},
	}
	if _, err := p.BuildImage(bctx, &req); err != nil {
		// The caller names the --dockerfile directory; the session tag we
		// build is an internal name, and testcontainers' own "build image:"
		// prefix says nothing docker's message does not.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return fmt.Errorf("docker build: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("build %s: %w", c.Image, err)
	}
	return nil
}

var unsafeRepo = regexp.MustCompile(`[^a-z0-9._-]+`)

// buildTag names a built image after its context directory, so `docker
// images` during a run says what it is.
func buildTag(dir, session string) string {
	name := strings.Trim(unsafeRepo.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-"), "-._")
	if name == "" {
		name = "receiver"
	}
	return "mvh-build/" + name + ":" + session
}
