package receiver

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no secret", nil, nil, "secret: required"},
		{"unknown flag", []string{"--secret", "s", "--bogus"}, nil, "bogus"},
		{"bad addr", []string{"--secret", "s", "--addr", "nowhere"}, nil, "addr"},
		{"bad path", []string{"--secret", "s", "--path", "hooks"}, nil, "path"},
		{"bad downstream", nil, map[string]string{"MVH_SECRET": "s", "DOWNSTREAM_URL": "ftp://x"}, "downstream"},
		{"bad downstream port", []string{"--secret", "s", "--downstream", "http://127.0.0.1:99999/"}, nil, "downstream"},
		{"stray argument", []string{"--secret", "s", "extra"}, nil, "extra"},
		{"bad port", []string{"--secret", "s", "--addr", "127.0.0.1:99999"}, nil, "listen 127.0.0.1:99999"},
		{"unusable db", []string{"--secret", "s", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "no", "events.db")}, nil, "events.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(t.Context(), tt.args, mapEnv(tt.env), &stderr)
			out := stderr.String()
			if code != 2 || !strings.Contains(out, tt.want) || strings.Count(out, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q", code, out, tt.want)
			}
		})
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := mapEnv(map[string]string{"PORT": "9999", "MVH_SECRET": "env", "DOWNSTREAM_URL": "http://127.0.0.1:1/"})
	c, err := parseConfig(nil, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || len(c.Secrets) != 1 || c.Secrets[0] != "env" || c.Downstream != "http://127.0.0.1:1/" {
		t.Errorf("config = %+v", c)
	}
	c, err = parseConfig([]string{"--addr", "127.0.0.1:1", "--secret", "a", "--secret", "b"}, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:1" || strings.Join(c.Secrets, ",") != "a,b" {
		t.Errorf("flags must win over the environment: %+v", c)
	}
}

// TestRunServesAndKeepsEventsAcrossRestart runs the whole program twice on
// one database file: a redelivery after a restart is still a duplicate, and
// each run shuts down cleanly when its context ends.
func TestRunServesAndKeepsEventsAcrossRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "events.db")
	body := envelopeJSON("call_restart", "call.created")
	for i := range 2 {
		addr, stop := runProgram(t, "--secret", testSecret, "--addr", "127.0.0.1:0", "--db", db)
		url := "http://" + addr + testPath
		if got := deliver(t, url, body); got != http.StatusOK {
			t.Fatalf("run %d: status %d, want 200", i+1, got)
		}
		if code, logs := stop(); code != 0 || !strings.Contains(logs, "duplicate="+[]string{"false", "true"}[i]) {
			t.Fatalf("run %d: exit %d, logs:\n%s", i+1, code, logs)
		}
	}
}

// runProgram starts run with args and returns the address it listens on and
// a function that stops it and returns its exit code and logs.
func runProgram(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, mapEnv(nil), &stderr) }()
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
	var addr string
	eventually(t, 5*time.Second, func() bool {
		m := listening.FindStringSubmatch(stderr.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr, func() (int, string) {
		cancel()
		select {
		case code := <-done:
			return code, stderr.String()
		case <-time.After(15 * time.Second):
			t.Fatal("receiver did not shut down")
			return 0, ""
		}
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
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
