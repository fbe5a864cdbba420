package reporters

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// binaries builds bin/mvh and bin/faulty once per test binary, statically
// (CGO_ENABLED=0) as the Makefile does, so the end-to-end tests run what
// users run.
var binaries = struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}{}

// buildBinaries returns the directory holding mvh and faulty.
func buildBinaries(t *testing.T) string {
	t.Helper()
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "mvh-reporters-bin-")
		if binaries.err != nil {
			return
		}
		for _, b := range []struct{ name, pkg string }{{"mvh", "../cmd/mvh"}, {"faulty", "../receivers/faulty"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binaries.dir, b.name), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			var out []byte
			if out, binaries.err = cmd.CombinedOutput(); binaries.err != nil {
				binaries.out = out
				return
			}
		}
	})
	if binaries.err != nil {
		t.Fatalf("build binaries: %v\n%s", binaries.err, binaries.out)
	}
	return binaries.dir
}

// removeBinaries is called by TestMain once the tests are done.
func removeBinaries() {
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// startProcess runs a long-lived process until the test ends and waits
// until GET readyURL answers at all (any status), for at most 20 s.
func startProcess(t *testing.T, readyURL string, name string, args ...string) *lockedBuffer {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; ; i++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, readyURL, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never answered on %s:\n%s", filepath.Base(name), readyURL, out.Bytes())
		case <-time.After(time.Duration(min(10*(i+1), 200)) * time.Millisecond):
		}
	}
}
