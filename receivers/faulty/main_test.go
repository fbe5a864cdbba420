package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets TestCrashExits run this test binary as the receiver itself,
// so the real os.Exit is exercised without building another binary.
func TestMain(m *testing.M) {
	if os.Getenv("FAULTY_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func TestCrashExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "--secret", testSecret, "--addr", "127.0.0.1:0",
		"--defect", crashOnOversized)
	cmd.Env = append(os.Environ(), "FAULTY_RUN_MAIN=1")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := waitListening(t, &stderr)
	body := bytes.Repeat([]byte(" "), 5<<20)
	status, err := trySend("http://"+addr+testPath, headers(body, time.Now(), ""), body)
	err = errors.Join(err, cmd.Wait())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("answer %d, wait %v; want the process to exit 1\n%s", status, err, stderr.String())
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no secret", nil, nil, "secret: required"},
		{"unknown defect", []string{"--secret", "s", "--defect", "typo"}, nil, "valid: accept-unsigned, "},
		{"unknown defect from env", []string{"--secret", "s"}, map[string]string{"DEFECT": "typo"}, `defect "typo"`},
		{"bad addr", []string{"--secret", "s", "--addr", "x"}, nil, "addr"},
		{"bad port", []string{"--secret", "s", "--addr", "127.0.0.1:99999"}, nil, "listen 127.0.0.1:99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), tt.args, func(k string) string { return tt.env[k] }, &stderr)
			out := stderr.String()
			if code != 2 || !strings.Contains(out, tt.want) || strings.Count(out, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, out, tt.want)
			}
		})
	}
}

// TestDefectTable keeps README.md's table equal to defects().
func TestDefectTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (.+?) \\| `([a-z.-]+)` \\|")
	rows := row.FindAllStringSubmatch(string(readme), -1)
	ds := defects()
	if len(rows) != len(ds) {
		t.Fatalf("README lists %d defects, code %d", len(rows), len(ds))
	}
	for i, d := range ds {
		if got := []string{rows[i][1], rows[i][2], rows[i][3]}; got[0] != d.Name || got[1] != d.Bug || got[2] != d.Check {
			t.Errorf("README row %d = %q, want %q", i+1, got, []string{d.Name, d.Bug, d.Check})
		}
	}
}

// waitListening returns the address from the receiver's "listening" log line.
func waitListening(t *testing.T, stderr *syncBuffer) string {
	t.Helper()
	listening := regexp.MustCompile(`msg=listening .*?addr=(\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("receiver did not listen:\n%s", stderr.String())
	return ""
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
