package container_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// repoRoot is where the receivers' sources and Dockerfiles live.
const repoRoot = "../.."

func TestMain(m *testing.M) {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		// No registry: the reaper image cannot be pulled; the package cleans up.
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	ctx := context.Background()
	var before []string
	if container.Available(ctx) == nil {
		before = labelled(ctx)
	}
	code := m.Run()
	removeImages()
	if before != nil {
		if left := leftBehind(ctx, before); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: the tests left labelled Docker objects behind: %v\n", left)
			code = 1
		}
	}
	cleanBuilds()
	os.Exit(code)
}

// labelled lists the containers and images carrying container.Label, and
// every other container and image too: builds leave unlabelled intermediate
// containers and images behind when they go wrong.
func labelled(ctx context.Context) []string {
	cs, is, err := container.Leftovers(ctx)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	vs, err := container.LeftoverVolumes(ctx)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	all, err := dockerObjects(ctx, "")
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	return append(append(append(cs, is...), vs...), all...)
}

// leftBehind polls briefly (removal is asynchronous in the engine) for
// labelled objects that were not there before the tests.
func leftBehind(ctx context.Context, before []string) []string {
	return leftBehindOf(before, func() []string { return labelled(ctx) })
}

func leftBehindOf(before []string, list func() []string) []string {
	var left []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		left = left[:0]
		for _, id := range list() {
			if !slices.Contains(before, id) {
				left = append(left, id)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// requireConformRuns gates the tests that run whole conformance catalogues
// in containers: they need Docker, and -short leaves them out.
func requireConformRuns(t *testing.T) {
	t.Helper()
	requireDocker(t)
	if testing.Short() {
		t.Skip("-short: skipping full conformance runs in containers")
	}
}

// requireDocker skips a test when no Docker engine answers, or fails it when
// MVH_REQUIRE_DOCKER=1 (CI must never skip these silently).
func requireDocker(t testing.TB) {
	t.Helper()
	err := container.Available(context.Background())
	if err == nil {
		return
	}
	if os.Getenv("MVH_REQUIRE_DOCKER") == "1" {
		t.Fatalf("docker is required (MVH_REQUIRE_DOCKER=1): %v", err)
	}
	t.Skipf("skipping container test: %v (set MVH_REQUIRE_DOCKER=1 to fail instead)", err)
}

var (
	buildMu   sync.Mutex
	buildDirs = map[string]string{} // receiver name -> build context
	buildRoot string
)

// receiverContext returns a build context holding the freshly built static
// binary of receivers/<name> next to the repository's Dockerfile and
// .dockerignore for it. It builds once per test binary.
func receiverContext(t testing.TB, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if dir, ok := buildDirs[name]; ok {
		return dir
	}
	if buildRoot == "" {
		root, err := os.MkdirTemp("", "mvh-container-test-")
		if err != nil {
			t.Fatal(err)
		}
		buildRoot = root
	}
	dir := filepath.Join(buildRoot, name)
	goBuild(t, filepath.Join(dir, name), "./receivers/"+name)
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		copyFile(t, filepath.Join(repoRoot, "receivers", name, f), filepath.Join(dir, f))
	}
	buildDirs[name] = dir
	return dir
}

// goBuild builds pkg statically (CGO_ENABLED=0), as the Makefile does for
// the images: FROM scratch has no libc.
func goBuild(t testing.TB, out, pkg string) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	t.Logf("go build %s: %s", pkg, time.Since(start).Round(time.Millisecond))
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func cleanBuilds() {
	if buildRoot != "" {
		os.RemoveAll(buildRoot)
	}
}

// build builds dir into an image named tag, labelled like everything the
// harness creates: what `make images` does with the docker CLI, done
// through the API.
func build(t testing.TB, dir, tag string) {
	t.Helper()
	ctx := context.Background()
	p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(tclog.TestLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	repo, version, _ := bytes.Cut([]byte(tag), []byte(":"))
	req := testcontainers.ContainerRequest{
		FromDockerfile: testcontainers.FromDockerfile{Context: dir, Repo: string(repo), Tag: string(version)},
		Labels:         map[string]string{container.Label: "1"},
	}
	start := time.Now()
	if _, err := p.BuildImage(ctx, &req); err != nil {
		t.Fatalf("build %s: %v", tag, err)
	}
	t.Logf("docker build %s: %s", tag, time.Since(start).Round(time.Millisecond))
}

// assertSessionGone fails the test when anything labelled with session
// (container or image) still exists.
func assertSessionGone(t testing.TB, session string) {
	t.Helper()
	ids, err := dockerObjects(context.Background(), container.SessionLabel+"="+session)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) > 0 {
		t.Errorf("session %s left %v behind", session, ids)
	}
}

// allObjects lists every container and image of the engine.
func allObjects(t testing.TB) []string {
	t.Helper()
	ids, err := dockerObjects(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// assertNothingNew fails the test when containers or images (intermediate
// build layers included) exist that were not there before, polling briefly
// since the engine removes asynchronously.
func assertNothingNew(t testing.TB, before []string) {
	t.Helper()
	if left := leftBehindOf(before, func() []string { return allObjects(t) }); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// dockerObjects lists containers (all states), images (intermediate ones
// too), volumes and networks matching a label filter, or every one with label "".
func dockerObjects(ctx context.Context, label string) ([]string, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	f := make(client.Filters)
	if label != "" {
		f.Add("label", label)
	}
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	is, err := cli.ImageList(ctx, client.ImageListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, v := range vs.Items {
		ids = append(ids, "volume "+v.Name)
	}
	for _, n := range ns.Items {
		ids = append(ids, "network "+n.ID[:12]+" "+n.Name)
	}
	for _, c := range cs.Items {
		ids = append(ids, "container "+c.ID[:12]+" "+c.Image)
	}
	for _, im := range is.Items {
		ids = append(ids, "image "+im.ID+" "+strings.Join(im.RepoTags, ","))
	}
	return ids, nil
}

var (
	imagesMu sync.Mutex
	images   = map[string]string{} // receiver name -> tag, removed by TestMain
)

// receiverImage builds receivers/<name> into a named image once per test
// binary: what `make images` does, for tests of --image.
func receiverImage(t testing.TB, name string) string {
	t.Helper()
	imagesMu.Lock()
	defer imagesMu.Unlock()
	if tag, ok := images[name]; ok {
		return tag
	}
	tag := fmt.Sprintf("mvh-test/%s:%d", name, time.Now().UnixNano())
	build(t, receiverContext(t, name), tag)
	images[name] = tag
	return tag
}

func removeImages() {
	for _, tag := range images {
		if err := deleteImage(tag); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}

func deleteImage(tag string) error {
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		return err
	}
	defer cli.Close()
	_, err = cli.ImageRemove(context.Background(), tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	if err != nil {
		return fmt.Errorf("remove image %s: %w", tag, err)
	}
	return nil
}
