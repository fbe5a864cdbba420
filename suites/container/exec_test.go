package container_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dbImage is a reference receiver image that keeps its records in a
// SQLite file on the state volume (/state, owned by the receiver's user)
// and forwards nothing, as most real receivers do: the harness can only see
// the records through a program in the image.
const dbImage = `FROM scratch
COPY reference /reference
COPY --chown=65534:65534 state /state
USER 65534:65534
ENTRYPOINT ["/reference", "--addr", "0.0.0.0:8080", "--no-forward", "--db", "/state/events.db"]
`

// TestConformInspectExec observes a FROM scratch receiver, which has no
// shell, through --inspect-exec running the reference's --dump-records
// inside its container (exec form), with --require-observation: the
// observation checks run and pass instead of skipping.
func TestConformInspectExec(t *testing.T) {
	requireConformRuns(t)
	mvh := mvhBinary(t)
	dir := t.TempDir()
	copyFile(t, filepath.Join(receiverContext(t, "reference"), "reference"), filepath.Join(dir, "reference"))
	if err := os.Chmod(filepath.Join(dir, "reference"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"Dockerfile": dbImage, "state/.keep": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reports := t.TempDir()
	args := []string{"conform", "--dockerfile", dir, "--report-dir", reports, "--no-sink", "--require-observation",
		"--inspect-exec", "/reference --dump-records --db {state_dir}/events.db",
		"--only", "ack.valid-delivery,idempotency.redelivery,signature.rejected-not-recorded"}
	start := time.Now()
	code, out := run(t, mvh, args...)
	t.Logf("mvh %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	if code != 0 {
		t.Fatalf("exit %d, want 0; output:\n%s", code, out)
	}
	rep := readReport(t, filepath.Join(reports, "report.json"))
	for _, c := range rep.Checks {
		if c.Status != "passed" {
			t.Errorf("check %s %s %s", c.ID, c.Status, c.SkipReason)
		}
	}
	if len(rep.Checks) != 3 {
		t.Errorf("%d checks in the report, want 3", len(rep.Checks))
	}
}
