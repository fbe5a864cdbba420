package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
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
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(mvhBinary(t), "conform", "--url", srv.URL+"/webhooks/minivoice", "--secret", "whsec_0123456789abcdef",
		"--only", "ack.valid-delivery,signature.missing,signature.wrong-secret", "--report-dir", dir, "--timeout", "2s")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
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
