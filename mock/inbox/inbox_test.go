package inbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

const (
	inboxSecret = "whsec_inbox_test_secret"
	otherSecret = "whsec_inbox_other_secret"
)

var inboxNow = time.Unix(1780056000, 0)

// startInbox serves an inbox on a loopback port until the test ends.
func startInbox(t *testing.T, cfg Config) (string, *bytes.Buffer) {
	t.Helper()
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := &inboxBuffer{}
	cfg.Out = out
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return inboxNow }
	}
	in, err := New(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), &out.buf
}

// inboxBuffer lets the test read what the server goroutine wrote.
type inboxBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *inboxBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func inboxPayload(t *testing.T) []byte {
	t.Helper()
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	body, err := s.Payload("call.created", spec.PayloadOptions{CallID: "call_inbox_1", CreatedAt: inboxNow})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func inboxPost(t *testing.T, url string, h map[string]string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func inboxSigned(ts int64, body []byte, secrets ...string) map[string]string {
	return map[string]string{
		signature.TimestampHeader: strconv.FormatInt(ts, 10),
		signature.SignatureHeader: signature.Sign(ts, body, secrets...),
	}
}

func TestInboxSignatureReasons(t *testing.T) {
	body := inboxPayload(t)
	ts := inboxNow.Unix()
	var indented bytes.Buffer
	_ = json.Indent(&indented, body, "", "  ")
	mac := hmac.New(sha256.New, []byte(inboxSecret))
	mac.Write(body)
	bodyOnly := "v1=" + hex.EncodeToString(mac.Sum(nil))

	tests := []struct {
		name    string
		secrets []string
		headers map[string]string
		body    []byte
		status  int
		want    []string // substrings of the printed output
	}{
		{"valid", []string{inboxSecret}, inboxSigned(ts, body, inboxSecret), body, 200, []string{"call.created call_inbox_1 accepted 200", "signature ok with secret #1", "schema valid"}},
		{"rotated second secret", []string{otherSecret, inboxSecret}, inboxSigned(ts, body, inboxSecret), body, 200, []string{"ok with secret #2"}},
		{"no secret configured", nil, nil, body, 200, []string{"accepted 200", "unsigned, not verified (no --secret)"}},
		{"unsigned", []string{inboxSecret}, nil, body, 401, []string{"REJECTED 401", "missing header X-MiniVoice-Timestamp and X-MiniVoice-Signature"}},
		{"missing signature", []string{inboxSecret}, map[string]string{signature.TimestampHeader: strconv.FormatInt(ts, 10)}, body, 401, []string{"missing header X-MiniVoice-Signature"}},
		{"missing timestamp", []string{inboxSecret}, map[string]string{signature.SignatureHeader: signature.Sign(ts, body, inboxSecret)}, body, 401, []string{"missing header X-MiniVoice-Timestamp"}},
		{"malformed timestamp", []string{inboxSecret}, map[string]string{signature.TimestampHeader: "2026-05-29T12:00:00Z", signature.SignatureHeader: signature.Sign(ts, body, inboxSecret)}, body, 401, []string{"malformed header X-MiniVoice-Timestamp"}},
		{"malformed signature", []string{inboxSecret}, map[string]string{signature.TimestampHeader: strconv.FormatInt(ts, 10), signature.SignatureHeader: "v1=nothex"}, body, 401, []string{"malformed header X-MiniVoice-Signature"}},
		{"stale", []string{inboxSecret}, inboxSigned(ts-600, body, inboxSecret), body, 401, []string{"timestamp too old: 10m0s old, tolerance 5m0s"}},
		{"future", []string{inboxSecret}, inboxSigned(ts+420, body, inboxSecret), body, 401, []string{"timestamp too far in the future: 7m0s ahead"}},
		{"wrong secret", []string{inboxSecret}, inboxSigned(ts, body, otherSecret), body, 401, []string{
			"no signature matches: no v1 entry matches any of 1 secret(s)",
			"expected signed content: " + strconv.FormatInt(ts, 10) + `.{"call":`,
			"bytes cut",
			"computed with secret #1: v1=" + signature.Compute(inboxSecret, ts, body),
			"received: v1=" + signature.Compute(otherSecret, ts, body),
		}},
		{"body re-indented in transit", []string{inboxSecret}, inboxSigned(ts, body, inboxSecret), indented.Bytes(), 401, []string{"body altered after signing: the signature matches secret #1 over the body as compact JSON"}},
		{"body signed without timestamp", []string{inboxSecret}, map[string]string{signature.TimestampHeader: strconv.FormatInt(ts, 10), signature.SignatureHeader: bodyOnly}, body, 401, []string{"signed the body alone with secret #1"}},
		{"schema violation", nil, nil, []byte(`{"event":"call.created","created_at":"nope","call":{"id":7},"variables":{},"data":{}}`), 200, []string{"schema violation(s)", "    schema /call/id:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, out := startInbox(t, Config{Secrets: tt.secrets})
			status, answer := inboxPost(t, url+"/", tt.headers, tt.body)
			if status != tt.status {
				t.Errorf("status %d, want %d (answer %s)", status, tt.status, answer)
			}
			got := out.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, secret := range []string{inboxSecret, otherSecret} {
				if strings.Contains(got, secret) || strings.Contains(answer, secret) {
					t.Errorf("a secret leaked:\n%s\n%s", got, answer)
				}
			}
		})
	}
}

func TestInboxRoutes(t *testing.T) {
	url, _ := startInbox(t, Config{Path: "/webhooks/minivoice"})
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/webhooks/minivoice", 200},
		{http.MethodPost, "/other", 404},
		{http.MethodGet, "/webhooks/minivoice", 405},
	}
	for _, tt := range tests {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, url+tt.path, strings.NewReader(`{}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
	}
}
