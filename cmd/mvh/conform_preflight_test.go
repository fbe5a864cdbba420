package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReceiver answers 204 and counts what reached it, so a test can
// assert that a refused run sent nothing.
func countingReceiver(t *testing.T) (url string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/minivoice", hits
}

// TestConformRefusedBeforeSending: runs that cannot mean anything are exit
// 2 with one line naming the input, and the receiver sees no request.
func TestConformRefusedBeforeSending(t *testing.T) {
	tmp := t.TempDir()
	aFile, readOnly := filepath.Join(tmp, "file"), filepath.Join(tmp, "ro")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil || os.Mkdir(readOnly, 0o555) != nil {
		t.Fatal(err)
	}
	type row struct {
		name string
		args []string
		want string
	}
	rows := []row{
		{"no check selected", []string{"--level", "must", "--only", "http.method-not-allowed"},
			"--level must --only http.method-not-allowed: select no check"},
		{"all skipped", []string{"--only", "ack.latency", "--skip", "ack.latency"}, "--only ack.latency --skip ack.latency: select no check"},
		{"report dir is a file", []string{"--report-dir", aFile + "/out"}, "--report-dir " + aFile + "/out: " + aFile + " is not a directory"},
		{"fixtures dir is a file", []string{"--save-fixtures", aFile}, "--save-fixtures " + aFile + ": " + aFile + " is not a directory"},
	}
	if writable(readOnly) != nil { // root may write anywhere: no read-only directory to test with
		rows = append(rows, row{"report dir not writable", []string{"--report-dir", readOnly + "/reports"},
			"--report-dir " + readOnly + "/reports: " + readOnly + " is not writable"})
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			url, hits := countingReceiver(t)
			code, stdout, stderr := conformRun(t, append([]string{"--url", url, "--secret", "whsec_0123456789abcdef"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want 2 and one line mentioning %q", code, stderr, tc.want)
			}
			if strings.Contains(stdout, "PASS") || hits.Load() != 0 {
				t.Errorf("stdout %q, %d requests reached the receiver; want none", stdout, hits.Load())
			}
		})
	}
}

// TestConformShortSecret: --secret minivoice warns on stderr, keeps the
// target URL that contains it whole in report.json, and still masks it in
// what the receiver printed.
func TestConformShortSecret(t *testing.T) {
	exe := mvhBinary(t)
	dir := t.TempDir()
	code, stdout, stderr := conformRun(t, "--cmd", "echo key={secret}; exec "+shellQuote(exe)+" reference-receiver --addr 127.0.0.1:{port} --secret {secret}",
		"--secret", "minivoice", "--only", "signature.missing", "--report-dir", dir)
	if code != 0 || !strings.Contains(stderr, "warning: --secret is 9 bytes") {
		t.Fatalf("exit %d, stderr %q: want 0 and the short-secret warning\n%s", code, stderr, stdout)
	}
	var doc struct {
		Target       struct{ URL string }
		ReceiverLogs string `json:"receiver_logs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil || json.Unmarshal(data, &doc) != nil {
		t.Fatalf("report.json: %v", err)
	}
	if !strings.HasSuffix(doc.Target.URL, "/webhooks/minivoice") {
		t.Errorf("target.url %q: the user's path was scrubbed", doc.Target.URL)
	}
	if strings.Contains(strings.ReplaceAll(doc.ReceiverLogs, "/webhooks/minivoice", ""), "minivoice") {
		t.Errorf("receiver_logs %q: the secret was not masked", doc.ReceiverLogs)
	}
	code, _, stderr = conformRun(t, "--cmd", "true", "--secret", "whsec_0123456789abcdef", "--only", "http.method-not-allowed", "--level", "must")
	if code != exitUsage || strings.Contains(stderr, "warning") {
		t.Errorf("a 22-byte secret: exit %d, stderr %q; want no warning", code, stderr)
	}
}

// TestCheckOutputDir: a missing directory under a writable one is fine and
// is not created by the check; an existing writable directory is fine.
func TestCheckOutputDir(t *testing.T) {
	tmp := t.TempDir()
	for _, dir := range []string{tmp, filepath.Join(tmp, "a", "b")} {
		if err := checkOutputDir("--report-dir", dir); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "a")); err == nil {
		t.Error("the check created the directory")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the check left %v behind", entries)
	}
}

// TestConformPrintsGeneratedSecretOnce: a --cmd run without --secret prints
// the secret it generated once, on stderr, so a reproduction's MVH_SECRET
// can be set; no report holds it.
func TestConformPrintsGeneratedSecretOnce(t *testing.T) {
	exe := mvhBinary(t)
	dir := t.TempDir()
	code, stdout, stderr := conformRun(t, "--cmd", shellQuote(exe)+" reference-receiver --addr 127.0.0.1:{port} --secret {secret}",
		"--only", "signature.missing", "--report-dir", dir)
	secret := regexp.MustCompile(`whsec_mvh_[0-9a-f]+`).FindString(stderr)
	if code != 0 || secret == "" || strings.Count(stderr, secret) != 1 || strings.Contains(stdout, secret) {
		t.Fatalf("exit %d, stderr %q: want 0 and the generated secret once on stderr, never on stdout", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if strings.Contains(string(data), secret) {
			t.Errorf("%s holds the generated secret", e.Name())
		}
	}
}
