package reporters

import (
	"bytes"
	"github.com/minivoice/mvh/redact"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoOutputContainsTheSecret writes every format of a run whose receiver
// logs, answer bodies and GinkgoWriter output all leak the secret, and greps
// each output for it and for its core, whatever the encoding.
func TestNoOutputContainsTheSecret(t *testing.T) {
	rep, run := sampleReport(), sampleRun()
	dir := t.TempDir()
	paths, err := WriteDir(dir, rep, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("WriteDir wrote %v, want 4 files", paths)
	}
	fixturePaths, err := SaveFixtures(filepath.Join(dir, "fixtures"), rep, run)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]byte{
		"terminal": terminalOutput(rep, run, TerminalOptions{Redact: run.Redact}),
		"logs":     run.ReceiverLogs, // the input does hold it: proves the test can see it
	}
	for _, p := range append(paths, fixturePaths...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(p)] = data
	}
	if !bytes.Contains(outputs["logs"], []byte(testSecret)) {
		t.Fatal("the sample's receiver logs should leak the secret")
	}
	delete(outputs, "logs")
	for name, data := range outputs {
		for _, form := range append(redact.Forms(testSecret), "t0p", "s3cr3t") {
			if bytes.Contains(data, []byte(form)) {
				t.Errorf("%s contains the secret as %q", name, form)
			}
		}
	}
	for _, name := range []string{JSONFile, HTMLFile, JUnitFile} {
		if !bytes.Contains(outputs[name], []byte(Redacted)) {
			t.Errorf("%s shows no %s marker where the secret was", name, Redacted)
		}
	}
}

func TestRedactedDocumentKeepsStructure(t *testing.T) {
	doc := JSON(sampleReport(), sampleRun())
	if doc.ReceiverLogs == "" || !strings.Contains(doc.ReceiverLogs, "secret="+Redacted) {
		t.Errorf("receiver logs not kept with the secret redacted: %q", doc.ReceiverLogs)
	}
	if len(doc.Checks) != 11 {
		t.Errorf("%d checks after redaction, want 11", len(doc.Checks))
	}
}

// TestReportKeepsTargetURL: the issue's `target.url` reading
// `…/webhooks/[REDACTED]` with --secret minivoice.
func TestReportKeepsTargetURL(t *testing.T) {
	run := sampleRun()
	run.ReceiverURL = "http://127.0.0.1:8080/webhooks/minivoice"
	run.ReceiverLogs = []byte("listening with secret minivoice\n")
	run.Redact = []string{"minivoice"}
	run.Keep = []string{run.ReceiverURL, "/webhooks/minivoice"}
	doc := JSON(sampleReport(), run)
	if doc.Target.URL != run.ReceiverURL {
		t.Errorf("target.url %q, want %q", doc.Target.URL, run.ReceiverURL)
	}
	if strings.Contains(doc.ReceiverLogs, "secret minivoice") {
		t.Errorf("receiver logs %q keep the secret", doc.ReceiverLogs)
	}
}
