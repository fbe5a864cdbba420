package receiver

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

func TestRunRejectsBadConfig(t *testing.T) {
	s := []string{"--secret", "s"}
	receivertest.RefusesBadConfig(t, Run, []receivertest.BadConfig{
		{Name: "no secret", Want: "secret: required"},
		{Name: "unknown flag", Args: append(s, "--bogus"), Want: "bogus"},
		{Name: "bad addr", Args: append(s, "--addr", "nowhere"), Want: "addr"},
		{Name: "bad path", Args: append(s, "--path", "hooks"), Want: "path"},
		{Name: "bad downstream", Env: map[string]string{"MVH_SECRET": "s", "DOWNSTREAM_URL": "ftp://x"}, Want: "downstream"},
		{Name: "bad downstream port", Args: append(s, "--downstream", "http://127.0.0.1:99999/"), Want: "downstream"},
		{Name: "stray argument", Args: append(s, "extra"), Want: "extra"},
		{Name: "bad port", Args: append(s, "--addr", "127.0.0.1:99999"), Want: "listen 127.0.0.1:99999"},
		{Name: "unusable db", Args: append(s, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "no", "events.db")), Want: "events.db"},
	})
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

// runProgram starts Run with args and returns the address it listens on and
// a function that stops it and returns its exit code and logs.
func runProgram(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stderr receivertest.Buffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, mapEnv(nil), &stderr) }()
	addr := receivertest.Listening(t, &stderr)
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
