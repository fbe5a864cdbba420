package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

// modifiedSpec writes a copy of the contract whose x-minivoice-signature
// has a 60 s tolerance, other header names and another prefix, and returns
// its path and the scheme it describes.
func modifiedSpec(t *testing.T) (string, signature.Scheme) {
	t.Helper()
	doc := strings.NewReplacer("X-MiniVoice-", "X-Acme-", `prefix: "v1="`, `prefix: "v7="`, "tolerance: 300s", "tolerance: 60s").
		Replace(string(spec.DefaultDocument()))
	path := filepath.Join(t.TempDir(), "acme.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	sc := s.Signature().Signing()
	if sc.Tolerance != time.Minute || sc.SignatureHeader != "X-Acme-Signature" || sc.Prefix != "v7=" {
		t.Fatalf("modified spec reads as %+v", sc)
	}
	return path, sc
}

// TestSendFollowsTheSpec: mvh send names the headers and signs the way the
// contract given with --spec says.
func TestSendFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	const secret = "whsec_scheme_send_test"
	var mu sync.Mutex
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = r.Header.Clone()
		body, _ = readAll(r)
	}))
	defer srv.Close()
	code, out, errOut := cmdRun(t, "--spec", path, "send", "--to", srv.URL+"/hook", "--event", "call.created",
		"--secret", secret, "--retry-schedule", "0s")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	if got.Get("X-Acme-Event") != "call.created" || got.Get(signature.SignatureHeader) != "" ||
		!strings.HasPrefix(got.Get("X-Acme-Signature"), "v7=") {
		t.Fatalf("headers %v: want X-Acme-Event, X-Acme-Timestamp and a v7= X-Acme-Signature only", got)
	}
	v := signature.Verifier{Secrets: []string{secret}, Scheme: sc}
	if err := v.VerifyRequest(got, body); err != nil {
		t.Errorf("the modified scheme does not verify what send sent: %v", err)
	}
}

// TestSignFollowsTheSpec: mvh sign prints the contract's header names and
// prefix.
func TestSignFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	body := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(body, []byte(`{"event":"call.created"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cmdRun(t, "--spec", path, "sign", "--secret", "whsec_minivoice_test", "--timestamp", "1780056000", "--body-file", body)
	want := "X-Acme-Timestamp: 1780056000\nX-Acme-Signature: " + sc.Sign(1780056000, []byte(`{"event":"call.created"}`), "whsec_minivoice_test") + "\n"
	if code != 0 || out != want || !strings.Contains(out, "v7=") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// TestVerifyFollowsTheSpec: mvh verify checks against the contract's 60 s
// tolerance and prefix.
func TestVerifyFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	body := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(body, []byte(`{"event":"call.created"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	sig := sc.Sign(1780056000, []byte(`{"event":"call.created"}`), "whsec_minivoice_test")
	for _, tt := range []struct {
		now, want string
	}{{"1780056059", "valid\n"}, {"1780056100", "invalid: timestamp too old: 1m40s old, tolerance 1m0s\n"}} {
		_, out, errOut := cmdRun(t, "--spec", path, "verify", "--secret", "whsec_minivoice_test", "--timestamp", "1780056000",
			"--signature", sig, "--body-file", body, "--now", tt.now)
		if out != tt.want {
			t.Errorf("now %s: stdout %q, stderr %q; want %q", tt.now, out, errOut, tt.want)
		}
	}
}

// TestListenFollowsTheSpec: mvh listen verifies against the contract's 60 s
// tolerance and header names: 30 s old passes, 100 s old is stale; --save
// keeps the scheme's headers and signing kinds in the fixtures.
func TestListenFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	const secret = "whsec_scheme_listen_test"
	addr, saved := loopbackAddr(t), t.TempDir()
	stdout, stderr, stop := startCommand(t, "--spec", path, "listen", "--addr", addr, "--secret", secret, "--save", saved)
	url := "http://" + addr + "/"
	waitHTTP(t, url, stderr)
	body := []byte(`{"event":"call.created","created_at":"2026-05-29T12:00:00Z","call":{"id":"call_scheme_1"},"variables":{},"data":{"event_key":"call_scheme_1:call.created"}}`)
	for _, tt := range []struct {
		age    time.Duration
		status int
	}{{30 * time.Second, http.StatusOK}, {100 * time.Second, http.StatusUnauthorized}} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
		for k, v := range sc.Headers(time.Now().Add(-tt.age), body, secret) {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("signed %s ago: status %d, want %d\n%s", tt.age, resp.StatusCode, tt.status, stdout)
		}
	}
	if !strings.Contains(stdout.String(), "tolerance 1m0s") {
		t.Errorf("stdout does not explain the stale delivery against 1m0s:\n%s", stdout)
	}
	stop()
	fs, err := fixtures.Load(saved)
	if err != nil || len(fs) != 2 {
		t.Fatalf("saved fixtures: %d, %v", len(fs), err)
	}
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, string(f.Request.Signing))
		if !strings.HasPrefix(f.Request.Headers["X-Acme-Signature"], "v7=") || f.Request.Headers["X-Acme-Timestamp"] == "" {
			t.Errorf("fixture %s lost the scheme's signature headers: %v", f.Name, f.Request.Headers)
		}
	}
	slices.Sort(kinds)
	if want := []string{string(delivery.SignStale), string(delivery.SignValid)}; !slices.Equal(kinds, want) {
		t.Errorf("saved signing kinds %v, want %v", kinds, want)
	}
}

// TestConformFollowsTheSpec: under a contract with a 60 s tolerance, mvh
// conform signs its tolerance edges at 60 s ± the margin, so a receiver
// verifying with the contract's scheme passes and one keeping a 300 s
// window fails signature.outside-tolerance.
func TestConformFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	const secret = "whsec_scheme_conform_test"
	for _, tt := range []struct {
		name      string
		tolerance time.Duration
		failed    []string
	}{
		{"60 s window", 0, nil},
		{"300 s window", 300 * time.Second, []string{"signature.outside-tolerance"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := &signature.Verifier{Secrets: []string{secret}, Scheme: sc, Tolerance: tt.tolerance}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := readAll(r)
				if v.VerifyRequest(r.Header, b) != nil {
					w.WriteHeader(http.StatusUnauthorized)
				}
			}))
			defer srv.Close()
			// A process of its own, as users run it.
			cmd := exec.CommandContext(t.Context(), mvhBinary(t), "--spec", path, "conform", "--url", srv.URL+"/hook", "--secret", secret,
				"--only", "signature.clock-skew,signature.outside-tolerance,signature.truncated,signature.missing", "--json")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			_ = cmd.Run() // exit 1 is the 300 s window's verdict; the report says which
			stdout, stderr := out.String(), errb.String()
			var doc struct {
				Checks []struct {
					ID, Status string
					Failure    string
				}
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Checks) != 4 {
				t.Fatalf("--json: %v, %d checks\nstdout: %q\nstderr: %q", err, len(doc.Checks), stdout, stderr)
			}
			var failed []string
			for _, c := range doc.Checks {
				if c.Status == "failed" {
					failed = append(failed, c.ID)
					if !strings.Contains(c.Failure, "2m40s old (tolerance 1m0s)") {
						t.Errorf("%s failure %q does not name the 60 s tolerance plus 100 s", c.ID, c.Failure)
					}
				}
			}
			if strconv.Quote(strings.Join(failed, ",")) != strconv.Quote(strings.Join(tt.failed, ",")) {
				t.Errorf("failed %v, want %v", failed, tt.failed)
			}
		})
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

// TestFixturesReplayFollowsTheSpec: mvh fixtures replay re-signs the
// committed fixtures the way --spec says, so a receiver verifying with that
// scheme passes every one.
func TestFixturesReplayFollowsTheSpec(t *testing.T) {
	path, sc := modifiedSpec(t)
	const secret = "whsec_scheme_replay_test"
	v := &signature.Verifier{Secrets: []string{secret}, Scheme: sc}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := readAll(r)
		var obj map[string]any
		switch {
		case v.VerifyRequest(r.Header, b) != nil:
			w.WriteHeader(http.StatusUnauthorized)
		case json.Unmarshal(b, &obj) != nil || obj == nil:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	code, stdout, stderr := runMVH(t, "--spec", path, "fixtures", "replay", "--dir", committedFixtures, "--to", srv.URL, "--secret", secret)
	if code != 0 || strings.Contains(stdout, "✗") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}
