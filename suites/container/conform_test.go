package container_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
)

// TestConformImage is the "done when": `mvh conform --image`
// against the faulty image with one defect fails exactly that defect's
// checks; the receiver's logs reach the report, and nothing is left behind
// (TestMain). The reference image passing every check is TestCIRecipesRun
// (both recipes run `mvh conform --image` on it) and TestHarnessImage.
func TestConformImage(t *testing.T) {
	requireConformRuns(t)
	mvh := mvhBinary(t)
	tests := []struct {
		name     string
		image    string
		args     []string
		wantCode int
		failing  []string
	}{
		{"faulty first-signature-only", receiverImage(t, "faulty"),
			[]string{"--env", "DEFECT=first-signature-only"}, 1, []string{"signature.rotation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"conform", "--image", tt.image, "--report-dir", dir}, tt.args...)
			start := time.Now()
			code, out := run(t, mvh, args...)
			t.Logf("mvh %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; output:\n%s", code, tt.wantCode, out)
			}
			rep := readReport(t, filepath.Join(dir, "report.json"))
			var failing []string
			for _, c := range rep.Checks {
				switch c.Status {
				case "passed":
				case "failed":
					failing = append(failing, c.ID)
				default:
					t.Errorf("check %s %s (%s): every check must run against a container", c.ID, c.Status, c.SkipReason)
				}
			}
			if !slices.Equal(failing, tt.failing) {
				t.Errorf("failing checks %v, want %v\n%s", failing, tt.failing, out)
			}
			if !strings.Contains(rep.ReceiverLogs, "level=INFO") {
				t.Errorf("report.json receiver_logs (%d bytes) lacks the container's log lines", len(rep.ReceiverLogs))
			}
			if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
				t.Errorf("report.md for the CI job summary: %v", err)
			}
		})
	}
}

// report is the part of report.json these tests read.
type report struct {
	Checks []struct {
		ID, Status string
		SkipReason string `json:"skip_reason"`
	} `json:"checks"`
	ReceiverLogs string `json:"receiver_logs"`
}

func readReport(t *testing.T, path string) report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(r.Checks) == 0 {
		t.Fatalf("%s: no checks", path)
	}
	return r
}

// mvhBinary builds mvh once per test binary, statically, as `make build`.
func mvhBinary(t *testing.T) string {
	t.Helper()
	receiverContext(t, "reference") // makes buildRoot
	out := filepath.Join(buildRoot, "mvh")
	buildMu.Lock()
	defer buildMu.Unlock()
	if _, err := os.Stat(out); err != nil {
		goBuild(t, out, "./cmd/mvh")
	}
	return out
}

// run runs the harness without TESTCONTAINERS_RYUK_DISABLED in its
// environment: mvh must turn the reaper off by itself.
func run(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, container.ReaperEnv+"=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("%s: %v\n%s", bin, err, out)
	return -1, ""
}
