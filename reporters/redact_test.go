package reporters

import (
	"bytes"
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
	fixturePaths, err := SaveFixtures(filepath.Join(dir, "fixtures"), rep, run.Redact...)
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
		for _, form := range append(encodings(testSecret), "t0p", "s3cr3t") {
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

func TestRedactorEncodings(t *testing.T) {
	r := newRedactor([]string{`a<b&"c'+`, ""})
	for _, in := range []string{`a<b&"c'+`, `a\u003cb\u0026\"c'+`, `a&lt;b&amp;&#34;c&#39;+`, `a&lt;b&amp;&quot;c&#39;+`, `a&lt;b&amp;&#34;c&#39;&#43;`} {
		if got := r.string("x " + in + " y"); got != "x "+Redacted+" y" {
			t.Errorf("redact %q = %q", in, got)
		}
	}
	if got := newRedactor(nil).string("keep"); got != "keep" {
		t.Errorf("no secrets changed %q", got)
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
