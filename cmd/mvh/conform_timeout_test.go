package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestConformTimeout runs a real mvh process with --timeout 2s against a
// receiver that never answers: the run stops after its timeout, not after
// the checks' own limits; the running check is reported interrupted (not
// failed), the rest not run, the reports are written, and the exit is 2.
func TestConformTimeout(t *testing.T) {
	h := startHung(t, "--only", "ack.valid-delivery,signature.missing,signature.wrong-secret", "--timeout", "2s")
	stdout, stderr, dir := &h.stdout, &h.stderr, h.dir
	var err error
	select {
	case err = <-h.done:
	case <-time.After(90 * time.Second):
		_ = h.cmd.Process.Kill()
		t.Fatalf("mvh still running 90s into a 2s --timeout\n%s\n%s", stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !bytes.Contains(stderr.Bytes(), []byte("--timeout 2s")) {
		t.Fatalf("exit %v, want 2 naming --timeout 2s\n%s\n%s", err, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("report.json not written: %v", err)
	}
	var doc struct {
		Checks []struct {
			ID, Status string
			SkipReason string `json:"skip_reason"`
		}
		Summary struct {
			Total  struct{ Failed, Interrupted int }
			NotRun int `json:"not_run"`
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Checks) != 1 || doc.Checks[0].Status != "interrupted" || doc.Summary.Total.Failed != 0 || doc.Summary.NotRun < 2 {
		t.Errorf("checks %+v summary %+v: want one interrupted check, none failed, the other two not run", doc.Checks, doc.Summary)
	}
	if !bytes.Contains(data, []byte("stopped by --timeout during "+doc.Checks[0].ID)) {
		t.Errorf("report.json does not say the timeout stopped the run:\n%s", data)
	}
}
