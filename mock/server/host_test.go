package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
)

// serveOn runs h through Serve on a loopback port and returns its address.
func serveOn(t *testing.T, h func(net.Addr) http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = Serve(ctx, ln, h(ln.Addr()), slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func status(t *testing.T, addr, host, path string, header http.Header) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLocalHostOnly: bound to loopback without a token, the servers answer
// only requests addressed to the local machine, so a page that rebinds its
// own name to 127.0.0.1 cannot reach them.
func TestLocalHostOnly(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	addr := serveOn(t, func(a net.Addr) http.Handler { return LocalHostOnly(a, ok) })
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		host string
		want int
	}{
		{addr, http.StatusNoContent},
		{"localhost:" + port, http.StatusNoContent},
		{"[::1]:" + port, http.StatusNoContent},
		{"LOCALHOST", http.StatusNoContent},
		{"evil.example:" + port, http.StatusMisdirectedRequest},
		{"127.0.0.1.nip.io:" + port, http.StatusMisdirectedRequest},
		{"192.0.2.1:" + port, http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		if got := status(t, addr, tt.host, "/", nil); got != tt.want {
			t.Errorf("Host %q: %d, want %d", tt.host, got, tt.want)
		}
	}
}

// TestRequireToken: with a token every request needs it, as a bearer
// header or as a query a webhook URL can carry.
func TestRequireToken(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	addr := serveOn(t, func(net.Addr) http.Handler { return RequireToken("t0ken", ok) })
	tests := []struct {
		name, path string
		header     http.Header
		want       int
	}{
		{"none", "/", nil, http.StatusUnauthorized},
		{"bearer", "/", http.Header{"Authorization": {"Bearer t0ken"}}, http.StatusNoContent},
		{"query", "/hook?token=t0ken", nil, http.StatusNoContent},
		{"wrong bearer", "/", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
		{"wrong query", "/hook?token=t0ke", nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got := status(t, addr, addr, tt.path, tt.header); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
