package container_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	mobycontainer "github.com/moby/moby/api/types/container"
	mobynetwork "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/minivoice/mvh/suites/container"
)

// TestHarnessImage runs the pipeline layout build/harness/Dockerfile is
// for: the harness image and the reference receiver on one Docker network,
// the receiver forwarding to the harness's sink pinned with --sink-addr.
// The reference passes every check, and the reports land in a mounted
// directory.
func TestHarnessImage(t *testing.T) {
	requireConformRuns(t)
	tag := harnessImage(t, mvhBinary(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nw, err := network.New(ctx, network.WithLabels(map[string]string{container.Label: "1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := nw.Remove(context.Background()); err != nil {
			t.Errorf("remove network: %v", err)
		}
	}()
	recv, err := container.Run(ctx, receiverImage(t, "reference"), container.WithSecret(testSecret),
		container.WithDownstream("http://harness:9000/records"), network.WithNetwork([]string{"receiver"}, nw))
	defer terminate(t, recv)
	if err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	start := time.Now()
	h, err := testcontainers.Run(ctx, tag,
		testcontainers.WithLogger(tclog.TestLogger(t)),
		testcontainers.WithLabels(map[string]string{container.Label: "1"}),
		testcontainers.WithCmd("conform", "--url", "http://receiver:8080/webhooks/minivoice", "--secret", testSecret,
			"--sink-addr", "0.0.0.0:9000", "--report-dir", "/reports"),
		network.WithNetwork([]string{"harness"}, nw),
		testcontainers.WithExposedPorts("9000/tcp"),
		testcontainers.WithHostConfigModifier(func(hc *mobycontainer.HostConfig) {
			hc.Binds = append(hc.Binds, reports+":/reports")
			hc.PortBindings = mobynetwork.PortMap{mobynetwork.MustParsePort("9000/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1")}}}
		}),
		testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(2*time.Minute)))
	defer func() {
		if err := h.Terminate(context.Background()); err != nil {
			t.Errorf("terminate harness: %v", err)
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	state, err := h.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("harness container: exit %d in %s", state.ExitCode, time.Since(start).Round(time.Millisecond))
	if state.ExitCode != 0 {
		t.Errorf("harness exit %d, want 0 (the reference passes)", state.ExitCode)
	}
	// A --url receiver the harness cannot restart: the durability checks
	// are skipped, saying how to run them, never passed.
	assertPassedExceptSkipped(t, filepath.Join(reports, "report.json"), "--restart-cmd",
		"durability.crash-after-ack", "durability.restart-redelivery", "durability.crash-mid-burst")
}

// harnessImage builds build/harness/Dockerfile with the mvh binary just
// built, as `make images` does with bin/mvh.
func harnessImage(t *testing.T, mvh string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		copyFile(t, filepath.Join(repoRoot, "build", "harness", f), filepath.Join(dir, f))
	}
	copyFile(t, mvh, filepath.Join(dir, "mvh"))
	if err := os.Chmod(filepath.Join(dir, "mvh"), 0o755); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("mvh-test/harness:%d", time.Now().UnixNano())
	build(t, dir, tag)
	t.Cleanup(func() {
		if err := deleteImage(tag); err != nil {
			t.Error(err)
		}
	})
	return tag
}
