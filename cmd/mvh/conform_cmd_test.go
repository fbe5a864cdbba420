package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/minivoice/mvh/receivers/reference/receiver"
	"github.com/minivoice/mvh/suites/catalogue"
)

// conformRun runs `mvh conform args...` in-process.
func conformRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return cmdRun(t, append([]string{"conform"}, args...)...)
}

func TestConformList(t *testing.T) {
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := conformRun(t, "--list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, id := range cat.IDs() {
		if !strings.Contains(out, id+" ") {
			t.Errorf("--list lacks %s", id)
		}
	}
	code, out, _ = conformRun(t, "--list", "--json")
	var checks []catalogue.Check
	if err := json.Unmarshal([]byte(out), &checks); code != 0 || err != nil || len(checks) != len(cat.IDs()) {
		t.Errorf("--list --json: exit %d, %d checks, %v", code, len(checks), err)
	}
}

func TestConformUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "give --url, --cmd"},
		{[]string{"--url", "http://127.0.0.1:9/w"}, "--secret: required"},
		{[]string{"--cmd", "x", "--only", "no.such"}, "--only no.such"},
		{[]string{"--cmd", "x", "--level", "may"}, "--level"},
		{[]string{"--demo", "--cmd", "x"}, "--demo"},
		{[]string{"--cmd", "x", "extra-arg"}, "unknown command"},
	} {
		code, _, stderr := conformRun(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestConformNotReady: a receiver that exits is exit 2 with its last words.
func TestConformNotReady(t *testing.T) {
	code, _, stderr := conformRun(t, "--cmd", "echo listening is hard; echo secret={secret}; exit 3", "--ready-timeout", "5s")
	if code != exitUsage || !strings.Contains(stderr, "receiver not ready") || !strings.Contains(stderr, "listening is hard") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "secret=[secret]") {
		t.Errorf("stderr %q: the secret must be masked", stderr)
	}
	// A command that spells the secret out is not printed back with it.
	const literal = "whsec_cmdtest_literal"
	code, _, stderr = conformRun(t, "--cmd", "sh -c 'exit 3' "+literal, "--secret", literal, "--ready-timeout", "5s")
	if code != exitUsage || strings.Contains(stderr, literal) || !strings.Contains(stderr, "receiver not ready") {
		t.Errorf("exit %d, stderr %q: want 2, the secret masked", code, stderr)
	}
}

// TestQuietTestcontainers: while a run lasts, testcontainers' global logger
// (its "Connected to docker" banner) goes to the run's slog logger at debug
// level, never straight to stderr, and is restored afterwards.
func TestQuietTestcontainers(t *testing.T) {
	var logs bytes.Buffer
	prev := tclog.Default()
	restore := quietTestcontainers(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	tclog.Printf("%s - Connected to docker:\n  Server Version: %s\n", "testcontainers", "test")
	restore()
	if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "Connected to docker") {
		t.Errorf("slog got %q, want the banner at debug level", logs.String())
	}
	if tclog.Default() != prev {
		t.Error("the previous testcontainers logger was not restored")
	}
}

// TestConformURLWithSink runs a few checks against the reference receiver
// served in-process, observed through a pinned sink, and writes reports.
func TestConformURLWithSink(t *testing.T) {
	port, sinkAddr := loopbackAddr(t), loopbackAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- receiver.Run(ctx, []string{"--addr", port, "--secret", "whsec_cmdtest_secret",
			"--downstream", "http://" + sinkAddr + "/records"}, func(string) string { return "" }, io.Discard)
	}()
	defer func() { stop(); <-done }()
	dir := t.TempDir()
	code, stdout, stderr := conformRun(t, "--url", "http://"+port+"/webhooks/minivoice", "--secret", "whsec_cmdtest_secret",
		"--sink-addr", sinkAddr, "--only", "signature.missing,idempotency.redelivery,resilience.still-serving",
		"--settle", "2s", "--json", "--report-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var doc struct {
		Verdict string `json:"verdict"`
		Checks  []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Verdict != "pass" || len(doc.Checks) != 3 {
		t.Fatalf("--json: %v %+v", err, doc)
	}
	for _, c := range doc.Checks {
		if c.Status != "passed" {
			t.Errorf("%s: %s", c.ID, c.Status)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil || bytes.Contains(report, []byte("whsec_cmdtest_secret")) || strings.Contains(stdout+stderr, "whsec_cmdtest_secret") {
		t.Errorf("report.json: %v, or the secret leaked", err)
	}
}
