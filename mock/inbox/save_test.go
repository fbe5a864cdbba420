package inbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec/signature"
)

func TestInboxForwardsExactRequest(t *testing.T) {
	var (
		mu       sync.Mutex
		gotBody  []byte
		gotSig   string
		gotEvent string
	)
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotBody, gotSig, gotEvent = b, r.Header.Get(signature.SignatureHeader), r.Header.Get(signature.EventHeader)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer downstream.Close()

	url, out := startInbox(t, Config{Secrets: []string{inboxSecret}, Forward: downstream.URL + "/hook"})
	body := inboxPayload(t)
	h := inboxSigned(inboxNow.Unix(), body, inboxSecret)
	h[signature.EventHeader] = "call.created"
	if status, answer := inboxPost(t, url+"/", h, body); status != http.StatusAccepted { // the target's answer, relayed
		t.Fatalf("status %d: %s", status, answer)
	}
	mu.Lock()
	defer mu.Unlock()
	if string(gotBody) != string(body) {
		t.Errorf("forwarded body differs:\n got %s\nwant %s", gotBody, body)
	}
	if gotSig != h[signature.SignatureHeader] || gotEvent != "call.created" {
		t.Errorf("forwarded headers differ: signature %q event %q", gotSig, gotEvent)
	}
	if !strings.Contains(out.String(), "forward 202") {
		t.Errorf("output lacks the forward status:\n%s", out)
	}
}

func TestInboxForwardFailureIsReported(t *testing.T) {
	downstream := httptest.NewServer(http.NotFoundHandler())
	target := downstream.URL
	downstream.Close() // nothing listens there any more

	url, out := startInbox(t, Config{Forward: target, AckAlways: true})
	if status, _ := inboxPost(t, url+"/", nil, inboxPayload(t)); status != 200 {
		t.Fatalf("with AckAlways the inbox's own verdict must not depend on the forward: status %d", status)
	}
	if !strings.Contains(out.String(), "forward failed: "+target+": dial tcp") || strings.Count(out.String(), target) != 1 {
		t.Errorf("output lacks the forward failure:\n%s", out)
	}
}

func TestInboxSavesFixtures(t *testing.T) {
	body := inboxPayload(t)
	ts := inboxNow.Unix()
	tests := []struct {
		name    string
		secrets []string
		headers map[string]string
		signing delivery.Signing
		class   string
	}{
		{"valid", []string{inboxSecret}, inboxSigned(ts, body, inboxSecret), delivery.SignValid, fixtures.Class2xx},
		{"unverified", nil, inboxSigned(ts, body, inboxSecret), delivery.SignValid, fixtures.Class2xx},
		{"unsigned", []string{inboxSecret}, nil, delivery.SignNone, fixtures.Class4xx},
		{"wrong secret", []string{inboxSecret}, inboxSigned(ts, body, otherSecret), delivery.SignWrongSecret, fixtures.Class4xx},
		{"stale", []string{inboxSecret}, inboxSigned(ts-600, body, inboxSecret), delivery.SignStale, fixtures.Class4xx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			url, out := startInbox(t, Config{Secrets: tt.secrets, Save: dir})
			inboxPost(t, url+"/webhooks/minivoice", tt.headers, body)
			fs, err := fixtures.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 {
				t.Fatalf("%d fixtures saved, want 1; output:\n%s", len(fs), out)
			}
			f := fs[0]
			if f.Request.Body != string(body) || f.Request.Path != "/webhooks/minivoice" || f.Request.Now != ts {
				t.Errorf("fixture request differs: %+v", f.Request)
			}
			if f.Request.Signing != tt.signing || f.Expect.StatusClass != tt.class {
				t.Errorf("signing %q class %q, want %q %q", f.Request.Signing, f.Expect.StatusClass, tt.signing, tt.class)
			}
			if f.Request.Headers[signature.SignatureHeader] != tt.headers[signature.SignatureHeader] {
				t.Errorf("signature header not kept: %v", f.Request.Headers)
			}
			if tt.class == fixtures.Class2xx {
				if err := fixtures.Verify(f, inboxSecret); err != nil {
					t.Errorf("a saved valid delivery does not verify: %v", err)
				}
			}
			if !strings.Contains(out.String(), "saved "+dir) {
				t.Errorf("output lacks the saved path:\n%s", out)
			}
		})
	}
}

// TestInboxRelaysForwardAnswer: with --forward the sender gets what the
// forward target answered (502 when nothing listens), so it retries when
// the user's receiver fails; --ack-always answers with the inbox's verdict.
func TestInboxRelaysForwardAnswer(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "db down")
	}))
	defer failing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for _, tc := range []struct {
		name      string
		cfg       Config
		status    int
		answer    string
		lineWants string
	}{
		{"target fails", Config{Forward: failing.URL}, http.StatusServiceUnavailable, "db down", "forward 503"},
		{"target unreachable", Config{Forward: gone.URL}, http.StatusBadGateway, "forward " + gone.URL, "forward failed"},
		{"ack always", Config{Forward: failing.URL, AckAlways: true}, http.StatusOK, `"ok"`, "forward 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, out := startInbox(t, tc.cfg)
			status, answer := inboxPost(t, url+"/", nil, inboxPayload(t))
			if status != tc.status || !strings.Contains(answer, tc.answer) {
				t.Errorf("answered %d %q, want %d with %q", status, answer, tc.status, tc.answer)
			}
			if !strings.Contains(out.String(), tc.lineWants) {
				t.Errorf("output lacks %q:\n%s", tc.lineWants, out)
			}
		})
	}
}

// TestInboxPrintJSON: --print-json prints one JSON object per delivery with
// the verdict, the headers and the exact body.
func TestInboxPrintJSON(t *testing.T) {
	url, out := startInbox(t, Config{Secrets: []string{inboxSecret}, PrintJSON: true})
	body := inboxPayload(t)
	h := inboxSigned(inboxNow.Unix(), body, inboxSecret)
	if status, _ := inboxPost(t, url+"/webhooks/minivoice", h, body); status != 200 {
		t.Fatalf("status %d", status)
	}
	var rep Report
	if err := json.Unmarshal([]byte(strings.TrimSpace(out.String())), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if rep.Body != string(body) || rep.Path != "/webhooks/minivoice" || rep.Method != "POST" || !rep.Signature.Valid ||
		rep.Headers[signature.SignatureHeader] == nil && rep.Headers["X-Minivoice-Signature"] == nil {
		t.Errorf("report %+v: want the exact body, path, a valid signature and the signature header", rep)
	}
}
