package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/spec"
)

// lockedBuffer is written by a command's server goroutines while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startCommand runs mvh in-process until the test cancels it, and returns
// its output buffers and a function that stops it and returns the exit code.
func startCommand(t *testing.T, args ...string) (stdout, stderr *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), stdout, stderr) }()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(15 * time.Second):
				t.Errorf("mvh %s: still running 15s after cancel", strings.Join(args, " "))
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return stdout, stderr, stop
}

func loopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHTTP polls url until it answers, or fails the test after 10 s.
func waitHTTP(t *testing.T, url string, stderr *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not up after 10s: %v\n%s", url, err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMockServeRunsAndStops(t *testing.T) {
	addr := loopbackAddr(t)
	db := filepath.Join(t.TempDir(), "mvh.db")
	_, stderr, stop := startCommand(t, "mock", "serve", "--addr", addr, "--db", db, "--time-scale", "0.001", "--token", "tok")
	waitHTTP(t, "http://"+addr+"/healthz", stderr)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/v1/applications", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("--token not enforced: %d", resp.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after cancel: %s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "mvh mock serve: http://"+addr) || strings.Contains(stderr.String(), "tok)") {
		t.Errorf("startup line: %q", stderr)
	}
}

func TestMockServeBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, bytes.Repeat([]byte("not sqlite "), 500), 0o644); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked.db")
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := mock.Open(t.Context(), s, mock.Config{DB: locked})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"corrupt db", []string{"--db", corrupt}, corrupt},
		{"locked db", []string{"--db", locked}, locked},
		{"bad time scale", []string{"--db", ":memory:", "--time-scale", "-1"}, "time-scale"},
		{"NaN time scale", []string{"--db", ":memory:", "--time-scale", "nan"}, "time-scale NaN"},
		{"port in use", []string{"--db", ":memory:", "--addr", busy.Addr().String()}, "addr " + busy.Addr().String()},
		{"bad addr", []string{"--db", ":memory:", "--addr", "127.0.0.1:99999"}, "addr 127.0.0.1:99999"},
		{"unknown flag", []string{"--nope"}, "nope"},
	}
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"mock", "serv"}, strings.NewReader(""), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), `unknown command "serv"`) {
		t.Errorf("mvh mock serv: exit %d, stderr %q: want exit 2 naming the unknown subcommand", code, errOut.String())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"mock", "serve", "--addr", "127.0.0.1:0"}, tt.args...)
			code := run(t.Context(), args, strings.NewReader(""), &out, &errOut)
			msg := errOut.String()
			if code != exitUsage || !strings.Contains(msg, tt.want) || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("exit %d, stderr %q: want exit 2 and one line naming %q", code, msg, tt.want)
			}
		})
	}
}
