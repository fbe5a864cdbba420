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

// TestConformInterrupted runs a real mvh process against a receiver that
// never answers, sends it a real SIGINT while the first check waits, and
// expects exit 130 with the reports written: that check interrupted (not a
// failed MUST), the other not run.
func TestConformInterrupted(t *testing.T) {
	h := startHung(t, "--only", "ack.valid-delivery,signature.missing")
	stdout, stderr, dir := &h.stdout, &h.stderr, h.dir
	for deadline := time.Now().Add(30 * time.Second); h.posts.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = h.cmd.Process.Kill()
			t.Fatalf("no delivery reached the receiver in 30s\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	if err := h.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-h.done:
	case <-time.After(60 * time.Second):
		_ = h.cmd.Process.Kill()
		t.Fatalf("mvh did not exit 60s after SIGINT\n%s\n%s", stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s\n%s", err, exitInterrupted, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("report.json not written: %v", err)
	}
	var doc struct {
		Verdict        string   `json:"verdict"`
		VerdictReasons []string `json:"verdict_reasons"`
		Checks         []struct{ ID, Status string }
		Summary        struct {
			Total  struct{ Failed, Interrupted int }
			NotRun int `json:"not_run"`
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Checks) != 1 || doc.Checks[0].Status != "interrupted" || doc.Summary.Total.Interrupted != 1 || doc.Summary.Total.Failed != 0 {
		t.Errorf("checks %+v summary %+v: want one interrupted check, none failed", doc.Checks, doc.Summary)
	}
	if doc.Verdict != "fail" || len(doc.VerdictReasons) == 0 || !bytes.Contains(data, []byte("interrupted by a signal during "+doc.Checks[0].ID)) {
		t.Errorf("verdict %s %q: want fail naming the interrupted check", doc.Verdict, doc.VerdictReasons)
	}
	if !bytes.Contains(stdout.Bytes(), []byte("interrupted: 1")) {
		t.Errorf("stdout lacks the interrupted count:\n%s", stdout.String())
	}
}
