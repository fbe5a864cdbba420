package container_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/target"
	"github.com/testcontainers/testcontainers-go"
)

// TestRunFailures: whatever goes wrong, Run returns a *Container whose
// Terminate (even on an expired context, as after Ctrl-C) leaves nothing
// behind, and the error says what went wrong without waiting longer than
// needed.
func TestRunFailures(t *testing.T) {
	requireDocker(t)
	image := receiverImage(t, "reference")
	noBinary := t.TempDir()
	copyFile(t, filepath.Join(repoRoot, "receivers/reference/Dockerfile"), filepath.Join(noBinary, "Dockerfile"))
	tests := []struct {
		name   string
		image  string
		opts   []testcontainers.ContainerCustomizer
		cancel time.Duration // cancel the context after this long (Ctrl-C)
		within time.Duration
		want   string
	}{
		{"receiver exits at once", image, nil, 0, 15 * time.Second, "exited with code 2"},
		{"never listens on the port", image, []testcontainers.ContainerCustomizer{
			container.WithSecret(testSecret), container.WithPort(9999), container.WithReadyTimeout(2 * time.Second),
		}, 0, 15 * time.Second, "deadline exceeded"},
		{"interrupted while waiting", image, []testcontainers.ContainerCustomizer{
			container.WithSecret(testSecret), container.WithPort(9999),
		}, 1500 * time.Millisecond, 15 * time.Second, "context canceled"},
		{"interrupted while building", "", []testcontainers.ContainerCustomizer{
			container.WithDockerfile(uncachedContext(t)),
		}, 700 * time.Millisecond, time.Minute, "context canceled"},
		{"build fails", "", []testcontainers.ContainerCustomizer{container.WithDockerfile(noBinary)}, 0, time.Minute, "reference"},
		{"image absent, no registry", "mvh-test/absent:none", nil, 0, 2 * time.Minute, "not present locally"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if tt.cancel > 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			before := allObjects(t)
			start := time.Now()
			c, err := container.Run(ctx, tt.image, tt.opts...)
			took := time.Since(start)
			if c == nil {
				t.Fatal("Run returned a nil *Container")
			}
			cancel()
			if terr := c.Terminate(ctx); terr != nil {
				t.Errorf("terminate on a done context: %v", terr)
			}
			assertSessionGone(t, c.Session)
			assertNothingNew(t, before)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if took > tt.within {
				t.Errorf("took %s, want under %s", took, tt.within)
			}
			t.Logf("%s: %v", took.Round(time.Millisecond), err)
		})
	}
}

// uncachedContext is the reference's build context with a binary no build
// has seen (trailing bytes, which the ELF loader ignores), so that no step
// of its build is cached: an interrupt lands in the middle of real work.
func uncachedContext(t *testing.T) string {
	t.Helper()
	src, dir := receiverContext(t, "reference"), t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore", "reference"} {
		copyFile(t, filepath.Join(src, f), filepath.Join(dir, f))
	}
	bin := filepath.Join(dir, "reference")
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "%d", time.Now().UnixNano())
		err = errors.Join(err, f.Close(), os.Chmod(bin, 0o755))
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestStartNotReady: a receiver that exits is target.ErrNotReady quoting
// its last output, as for a --cmd receiver.
func TestStartNotReady(t *testing.T) {
	requireDocker(t)
	tgt := container.NewTarget(container.Options{Image: receiverImage(t, "reference"), Env: []string{"MVH_SECRET="}})
	r, err := tgt.Start(context.Background(), target.Params{Secret: testSecret})
	if err == nil {
		r.Stop(context.Background())
		t.Fatal("start of a receiver without a secret succeeded")
	}
	if !errors.Is(err, target.ErrNotReady) || !strings.Contains(err.Error(), "secret: required") {
		t.Errorf("err = %v, want ErrNotReady quoting the receiver's complaint", err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Error("the error holds the secret")
	}
}

// TestEnvErrors: bad --env and options fail before anything is created.
func TestEnvErrors(t *testing.T) {
	tgt := container.NewTarget(container.Options{Image: "x", Env: []string{"NOVALUE"}})
	if _, err := tgt.Start(context.Background(), target.Params{}); err == nil || !strings.Contains(err.Error(), "NOVALUE") {
		t.Errorf("env without =: err = %v", err)
	}
	c, err := container.Run(context.Background(), "x", container.WithPort(70000))
	if err == nil || c == nil || c.DockerContainer != nil {
		t.Errorf("port 70000: c=%v err=%v, want an error and an empty container", c, err)
	}
}
