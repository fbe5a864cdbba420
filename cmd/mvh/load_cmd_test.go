package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/loadgen"
	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// cmdRun runs `mvh args...` in-process.
func cmdRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// reference serves the reference receiver in-process, forwarding to a
// sink at the returned address; the test pins the sink with --sink-addr.
func reference(t *testing.T, secret string) (url, sinkAddr string) {
	t.Helper()
	port, sinkAddr := loopbackAddr(t), loopbackAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- receiver.Run(ctx, []string{"--addr", port, "--secret", secret, "--downstream", "http://" + sinkAddr + "/records"},
			func(string) string { return "" }, io.Discard)
	}()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + port + "/webhooks/minivoice", sinkAddr
}

// TestLoadReference: the reference receiver under duplicates sent
// together and apart records every event once; exit 0. The accounting
// is asserted, never the rate, and the rate is low: on a loaded machine
// under -race a receiver may rightly answer 500 when its store times out,
// which fails a load run.
func TestLoadReference(t *testing.T) {
	url, sinkAddr := reference(t, "whsec_loadtest_secret")
	out := filepath.Join(t.TempDir(), "a.json")
	html := filepath.Join(t.TempDir(), "load.html")
	code, stdout, stderr := cmdRun(t, "load", "--url", url, "--secret", "whsec_loadtest_secret", "--sink-addr", sinkAddr,
		"--rate", "60", "--duration", "2s", "--dup-ratio", "0.2", "--concurrent-dups", "--events", "call.created,call.completed",
		"--settle", "2s", "--json", "--output", out, "--html", html)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var res loadgen.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("--json: %v", err)
	}
	tl := res.Tally
	if tl == nil || tl.Sent == 0 || tl.RecordedOnce != tl.Sent || !tl.OK() || res.Copies == 0 {
		t.Fatalf("accounting %v, %d copies: want every event recorded once, duplicates sent", tl, res.Copies)
	}
	if strings.Contains(stdout+stderr, "whsec_loadtest_secret") {
		t.Error("the secret leaked into the output")
	}
	for _, f := range []string{out, html} {
		if b, err := os.ReadFile(f); err != nil || bytes.Contains(b, []byte("whsec_loadtest_secret")) {
			t.Errorf("%s: %v, or the secret leaked", f, err)
		}
	}
}

// TestLoadFaulty: receivers that record copies twice, or acknowledge
// events and lose them, are reported with the duplicated or lost keys
// named, exit 1.
func TestLoadFaulty(t *testing.T) {
	faulty := filepath.Join(t.TempDir(), "faulty")
	if b, err := exec.Command("go", "build", "-o", faulty, "github.com/minivoice/mvh/receivers/faulty").CombinedOutput(); err != nil {
		t.Fatalf("build faulty: %v\n%s", err, b)
	}
	for _, tt := range []struct {
		defect, want string
		extra        []string
	}{
		{"no-dedupe", "duplicated: call_mvh_", []string{"--rate", "50"}},
		// check-then-insert: only copies sent at the same moment get through
		{"racy-dedupe", "duplicated: call_mvh_", []string{"--rate", "50", "--concurrent-dups"}},
		// 64 acknowledged deliveries held for a second: 150/s overflows it
		{"lossy-queue", "lost (acked, never recorded): call_mvh_", []string{"--rate", "150"}},
	} {
		t.Run(tt.defect, func(t *testing.T) {
			args := append([]string{"load", "--cmd", faulty + " --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url} --defect " + tt.defect,
				"--duration", "2s", "--dup-ratio", "0.3", "--events", "call.created", "--settle", "2s"}, tt.extra...)
			code, stdout, stderr := cmdRun(t, args...)
			if code != 1 || !strings.Contains(stdout, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestLoadMerge: two runs merged with the sink's records give their
// summed totals and one latency distribution of every delivery.
func TestLoadMerge(t *testing.T) {
	url, sinkAddr := reference(t, "whsec_loadtest_secret")
	dir := t.TempDir()
	sinkFile := filepath.Join(dir, "sink.json")
	ctx, stopSink := context.WithCancel(context.Background())
	sinkDone := make(chan int)
	go func() {
		var out bytes.Buffer
		sinkDone <- run(ctx, []string{"sink", "--addr", sinkAddr, "--output", sinkFile}, strings.NewReader(""), &out, io.Discard)
	}()
	var results []loadgen.Result
	for _, name := range []string{"a.json", "b.json"} {
		code, stdout, stderr := cmdRun(t, "load", "--url", url, "--secret", "whsec_loadtest_secret", "--rate", "50",
			"--duration", "1s", "--dup-ratio", "0.2", "--events", "call.created", "--json", "--output", filepath.Join(dir, name))
		var r loadgen.Result
		if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
			t.Fatalf("%s: exit %d\n%s\n%s", name, code, stdout, stderr)
		}
		results = append(results, r)
	}
	want := len(results[0].Acked) + len(results[1].Acked)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && sinkRecords(sinkFile) < want {
		time.Sleep(100 * time.Millisecond)
	}
	stopSink()
	if code := <-sinkDone; code != 0 {
		t.Fatalf("sink exit %d", code)
	}
	code, stdout, stderr := cmdRun(t, "load", "merge", "--json", filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), sinkFile)
	var m loadgen.Result
	if code != 0 || json.Unmarshal([]byte(stdout), &m) != nil {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if m.Deliveries != results[0].Deliveries+results[1].Deliveries || m.Latency.Count != int64(m.Deliveries) || m.Hosts != 2 {
		t.Errorf("merged %d deliveries, %d latencies, %d hosts; want %d, the same, 2", m.Deliveries, m.Latency.Count, m.Hosts,
			results[0].Deliveries+results[1].Deliveries)
	}
	if tl := m.Tally; tl == nil || tl.Sent != want || tl.RecordedOnce != want || !tl.OK() {
		t.Errorf("merged tally %v, want %d sent and recorded once", tl, want)
	}
	if code, _, stderr := cmdRun(t, "load", "merge", filepath.Join(dir, "missing.json")); code != exitUsage || !strings.Contains(stderr, "missing.json") {
		t.Errorf("merge of a missing file: exit %d, %q", code, stderr)
	}
}

// sinkRecords counts the records in the file mvh sink rewrites every
// second (0 until it exists).
func sinkRecords(path string) int {
	_, rec, err := loadgen.ReadFile(path)
	if err != nil || rec == nil {
		return 0
	}
	return rec.Total()
}

func TestLoadUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--demo", "--rate", "0"}, "--rate"},
		{[]string{"load", "--demo", "--dup-ratio", "1.5"}, "--dup-ratio"},
		{[]string{"load", "--demo", "--events", "call.nope"}, "call.nope"},
		{[]string{"load", "--demo", "--duration", "0s"}, "--duration"},
		{[]string{"load"}, "give --url"},
		{[]string{"load", "merge"}, "requires at least 1 arg"},
		{[]string{"sink"}, "--output"},
		{[]string{"load", "--url", "http://127.0.0.1:9/w", "--secret", "whsec_x", "--ready-timeout", "1s", "--rate", "max", "--workers", "-1"}, "--workers"},
	} {
		code, _, stderr := cmdRun(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestLoadInterrupted: Ctrl-C (the context ending) in the middle of a run
// prints what was measured and exits 130 saying it is partial.
func TestLoadInterrupted(t *testing.T) {
	url, sinkAddr := reference(t, "whsec_loadtest_secret")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(time.Second, cancel)
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"load", "--url", url, "--secret", "whsec_loadtest_secret", "--sink-addr", sinkAddr,
		"--rate", "50", "--duration", "1m", "--events", "call.created"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitInterrupted || !strings.Contains(stdout.String(), "deliveries") || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d with the partial figures", code, stdout.String(), stderr.String(), exitInterrupted)
	}
}
