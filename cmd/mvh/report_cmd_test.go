package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minivoice/mvh/reporters"
)

// TestReportRerendersARun runs real checks against the reference receiver
// with the wrong secret (ack.valid-delivery fails with evidence,
// signature.missing passes, idempotency.redelivery is skipped without an
// observer), then `mvh report` of the run's report.json, and of what
// --json printed, writes every file byte for byte as the run did.
func TestReportRerendersARun(t *testing.T) {
	url, _ := reference(t, "whsec_reportcmd_receiver")
	ran := t.TempDir()
	code, stdout, stderr := conformRun(t, "--url", url, "--secret", "whsec_reportcmd_other",
		"--only", "ack.valid-delivery,signature.missing,idempotency.redelivery", "--json", "--report-dir", ran)
	if code != exitFailed {
		t.Fatalf("conform exit %d, want 1 (the wrong secret)\n%s", code, stderr)
	}
	printed := filepath.Join(t.TempDir(), "run.json")
	if err := os.WriteFile(printed, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{filepath.Join(ran, reporters.JSONFile), printed} {
		again := filepath.Join(t.TempDir(), "published")
		code, out, errOut := cmdRun(t, "report", from, "--report-dir", again)
		if code != exitOK || strings.Count(out, "\n") != 4 {
			t.Fatalf("report %s: exit %d, stdout %q, stderr %q; want 0 and four paths", from, code, out, errOut)
		}
		for _, name := range []string{reporters.JUnitFile, reporters.JSONFile, reporters.MarkdownFile, reporters.HTMLFile} {
			want, _ := os.ReadFile(filepath.Join(ran, name))
			got, err := os.ReadFile(filepath.Join(again, name))
			if err != nil || len(want) == 0 || !bytes.Equal(got, want) {
				t.Errorf("report %s: %s differs from the run's (%v)", from, name, err)
			}
		}
	}
	junit, _ := os.ReadFile(filepath.Join(ran, reporters.JUnitFile))
	for _, want := range []string{`failures="1"`, `skipped="1"`, `ack.valid-delivery [MUST]" classname="` + reporters.Suite + `" status="failed"`, "In [It] at: "} {
		if !bytes.Contains(junit, []byte(want)) {
			t.Errorf("junit.xml lacks %s", want)
		}
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	missing := filepath.Join(dir, "absent.json")
	notReport := write("junit.xml", `<?xml version="1.0"?><testsuites/>`)
	newer := write("newer.json", `{"schema_version":2,"verdict":"pass","checks":[]}`)
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{missing, "--report-dir", out}, "report " + missing + ": no such file"},
		{[]string{notReport, "--report-dir", out}, "report " + notReport + ": not a report.json"},
		{[]string{newer, "--report-dir", out}, "report " + newer + ": schema_version newer than this mvh reads: schema_version 2, this mvh reads up to 1"},
		{[]string{newer}, "--report-dir: required"},
		{[]string{"--report-dir", out}, "accepts 1 arg"},
		{[]string{newer, "--report-dir", notReport + "/sub"}, "--report-dir " + notReport + "/sub: " + notReport + " is not a directory"},
	} {
		code, stdout, stderr := cmdRun(t, append([]string{"report"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("report %q: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("bad input created %s", out)
	}
}
