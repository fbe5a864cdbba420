package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec/signature"
)

func TestListenVerifiesAndSaves(t *testing.T) {
	const secret = "whsec_listen_cmd_secret"
	addr := loopbackAddr(t)
	save := filepath.Join(t.TempDir(), "saved")
	stdout, stderr, stop := startCommand(t, "listen", "--addr", addr, "--secret", secret, "--save", save, "--path", "/webhooks/minivoice")
	url := "http://" + addr + "/webhooks/minivoice"
	waitHTTP(t, url, stderr)

	body := []byte(`{"event":"call.created","created_at":"2026-05-29T12:00:00Z","call":{"id":"call_cmd_1"},"variables":{},"data":{"event_key":"call_cmd_1:call.created"}}`)
	now := time.Now().Unix()
	tests := []struct {
		name   string
		secret string
		status int
		want   string
	}{
		{"valid", secret, http.StatusOK, "call.created call_cmd_1 accepted 200 · signature ok with secret #1"},
		{"wrong secret", "whsec_someone_else", http.StatusUnauthorized, "computed with secret #1: v1=" + signature.Compute(secret, now, body)},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set(signature.TimestampHeader, strconv.FormatInt(now, 10))
		req.Header.Set(signature.SignatureHeader, signature.Sign(now, body, tt.secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		if !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%s: stdout lacks %q:\n%s", tt.name, tt.want, stdout)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout.String()+stderr.String(), secret) {
		t.Errorf("the secret was printed")
	}
	fs, err := fixtures.Load(save)
	if err != nil || len(fs) != 2 {
		t.Fatalf("saved fixtures: %d, %v", len(fs), err)
	}
}

func TestListenBadInput(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad forward", []string{"--forward", "ftp://x"}, "forward"},
		{"forward port out of range", []string{"--forward", "http://127.0.0.1:99999/"}, "port 99999"},
		{"bad tolerance", []string{"--tolerance", "-5s"}, "--tolerance"},
		{"empty secret", []string{"--secret", ""}, "--secret #1"},
		{"bad path", []string{"--path", "hooks"}, `path "hooks"`},
		{"unwritable save dir", []string{"--save", filepath.Join(blocker, "sub")}, "--save"},
		{"bad addr", []string{"--addr", "127.0.0.1:99999"}, "addr 127.0.0.1:99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(t.Context(), append([]string{"listen", "--addr", "127.0.0.1:0"}, tt.args...), strings.NewReader(""), &out, &errOut)
			msg := errOut.String()
			if code != exitUsage || !strings.Contains(msg, tt.want) || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("exit %d, stderr %q: want exit 2 and one line naming %q", code, msg, tt.want)
			}
		})
	}
}
