// Package receivertest drives a receiver under test over real HTTP on
// loopback: signed MiniVoice deliveries, a recording downstream sink, and
// polling with deadlines. The tests of receivers/reference and
// receivers/faulty share it, so neither carries a copy of the other's
// helpers; someone copying the reference takes its non-test files only.
package receivertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// Secret is MiniVoice's published test secret; Path is the receivers'
// default webhook path.
const (
	Secret = "whsec_minivoice_test"
	Path   = "/webhooks/minivoice"
)

// Envelope is a delivery body shaped like MiniVoice's documented example,
// with the given call ID and event.
func Envelope(callID, event string) []byte {
	return fmt.Appendf(nil, `{"call":{"application_id":"app_123","customer_id":"cust_123","direction":"inbound",`+
		`"from":"+15551230001","id":%q,"status":"in_progress","to":"+15551230002"},"created_at":"2026-05-29T12:00:00Z",`+
		`"data":{"event_key":"%s:%s"},"event":%q,"variables":{}}`, callID, callID, event, event)
}

// Headers signs body at ts with secrets (default Secret), as MiniVoice does.
func Headers(body []byte, ts time.Time, secrets ...string) http.Header {
	if len(secrets) == 0 {
		secrets = []string{Secret}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(signature.TimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	h.Set(signature.SignatureHeader, signature.Sign(ts.Unix(), body, secrets...))
	return h
}

// Do sends one request and returns the status and the response body; no
// answer at all fails the test.
func Do(t testing.TB, method, url string, h http.Header, body []byte) (int, string) {
	t.Helper()
	status, answer, err := Try(t.Context(), method, url, h, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, answer
}

// Try is Do for a request that may get no answer (the receiver crashed).
func Try(ctx context.Context, method, url string, h http.Header, body []byte) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// Deliver posts body freshly signed with Secret and returns the status.
func Deliver(t testing.TB, url string, body []byte) int {
	t.Helper()
	status, _ := Do(t, http.MethodPost, url, Headers(body, time.Now()), body)
	return status
}

// Eventually polls cond every 10 ms until it holds, failing the test after
// timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Buffer is a bytes.Buffer safe for a logger and a test at once.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// listening matches the receivers' "listening" log line.
var listening = regexp.MustCompile(`msg=listening .*?\baddr=(\S+)`)

// Listening waits for the receiver logging to logs to listen and returns
// its address.
func Listening(t testing.TB, logs *Buffer) string {
	t.Helper()
	var addr string
	Eventually(t, 10*time.Second, func() bool {
		m := listening.FindStringSubmatch(logs.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr
}

// DeliverAll posts n copies of body at the same moment, each freshly
// signed, and returns their statuses.
func DeliverAll(t testing.TB, url string, body []byte, n int) []int {
	t.Helper()
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() { statuses[i] = Deliver(t, url, body) })
	}
	wg.Wait()
	return statuses
}

// BadConfig is a command line or environment a receiver must refuse.
type BadConfig struct {
	Name string
	Args []string
	Env  map[string]string
	Want string // what the one line on stderr must name
}

// RefusesBadConfig runs each case through run, a receiver's main, and
// requires exit status 2 with one line on stderr naming the input.
func RefusesBadConfig(t *testing.T, run func(context.Context, []string, func(string) string, io.Writer) int, cases []BadConfig) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), tt.Args, func(k string) string { return tt.Env[k] }, &stderr)
			out := stderr.String()
			if code != 2 || !strings.Contains(out, tt.Want) || strings.Count(out, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q", code, out, tt.Want)
			}
		})
	}
}
