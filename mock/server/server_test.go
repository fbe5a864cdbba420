package server

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

// TestEveryPhaseIsBounded: the mock's servers (control API, log page,
// listen inbox) bound reading, writing and idling, so no client can pin a
// connection.
func TestEveryPhaseIsBounded(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is not set", name)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"[::1]:8080", true}, {"localhost:1", true},
		{"0.0.0.0:8080", false}, {":8080", false}, {"192.0.2.1:80", false}, {"nonsense", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.addr); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
