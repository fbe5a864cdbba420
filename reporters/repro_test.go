package reporters

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec/signature"
	"github.com/minivoice/mvh/suites/evidence"
)

// fakeMvhEnv makes the test binary act as `mvh sign`, so reproductions run
// without building cmd/mvh (which other packages may be mid-change in).
const fakeMvhEnv = "MVH_REPORTERS_FAKE_MVH"

func TestMain(m *testing.M) {
	if os.Getenv(fakeMvhEnv) == "1" {
		os.Exit(fakeMvh(os.Args[1:]))
	}
	code := m.Run()
	removeBinaries()
	os.Exit(code)
}

// fakeMvh implements `mvh sign` exactly as cmd/mvh/sign.go prints it.
func fakeMvh(args []string) int {
	if len(args) == 0 || args[0] != "sign" {
		fmt.Fprintln(os.Stderr, "fake mvh: only sign")
		return 2
	}
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	var secrets multi
	fs.Var(&secrets, "secret", "")
	ts := fs.Int64("timestamp", 0, "")
	file := fs.String("body-file", "", "")
	if err := fs.Parse(args[1:]); err != nil || len(secrets) == 0 {
		return 2
	}
	body, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Printf("%s: %d\n%s: %s\n", signature.TimestampHeader, *ts, signature.SignatureHeader, signature.Sign(*ts, body, secrets...))
	return 0
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// fakeMvhPath writes an `mvh` that re-executes the test binary as fakeMvh.
func fakeMvhPath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\n" + fakeMvhEnv + "=1 exec " + shq(self) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "mvh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// verifyingReceiver answers each way of failing verification with its own
// status, so a reproduction's status shows exactly what the receiver saw:
// 412 for a signature over exactly the signed bytes the evidence recorded
// (a faithful tampered reproduction), 401 for any other mismatch.
func verifyingReceiver(secret string, want, signed *atomic.Pointer[string]) *httptest.Server {
	v := signature.NewVerifier(secret)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := v.VerifyRequest(r.Header, body)
		switch {
		case errors.Is(err, signature.ErrMissingHeader):
			w.WriteHeader(400)
		case errors.Is(err, signature.ErrStaleTimestamp):
			w.WriteHeader(410)
		case errors.Is(err, signature.ErrFutureTimestamp):
			w.WriteHeader(425)
		case err != nil && *signed.Load() != "" && v.VerifyRequest(r.Header, []byte(*signed.Load())) == nil:
			w.WriteHeader(412)
		case err != nil:
			w.WriteHeader(401)
		case string(body) != *want.Load():
			w.WriteHeader(422)
		default:
			w.WriteHeader(200)
		}
	}))
}

func TestReproductionReproduces(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not found")
	}
	path := fakeMvhPath(t) + string(os.PathListSeparator) + os.Getenv("PATH")
	tricky := "-{\"a\":\"it's 100% \\\\ caf\u00e9\",\r\n\t\"b\":$HOME `x`}\n"
	var want, signed atomic.Pointer[string]
	srv := verifyingReceiver(testSecret, &want, &signed)
	defer srv.Close()
	for _, tc := range []struct {
		kind   delivery.Signing
		body   string
		status int
	}{
		{"valid", body("call_r1", "call.created"), 200},
		{"valid", tricky, 200},
		{"none", body("call_r2", "call.created"), 400},
		{"wrong-secret", body("call_r3", "call.created"), 401},
		{"stale", body("call_r4", "call.created"), 410},
		{"future", body("call_r5", "call.created"), 425},
		{"rotation", body("call_r6", "call.created"), 200},
		{"unknown-scheme", body("call_r7", "call.created"), 200},
		{"tampered", body("call_r8", "call.created"), 412},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			x := exchange(string(tc.kind), tc.kind, tc.body, "4xx", 200, 0)
			x.Started = time.Now()
			if tc.kind == "stale" || tc.kind == "future" {
				x = exchange(string(tc.kind), tc.kind, tc.body, "4xx", 200, 0) // keeps the 600 s skew to t0
			}
			x.Request.URL = srv.URL + "/webhooks/minivoice"
			script := Reproduction(Check{ID: "test." + string(tc.kind), Evidence: &evidence.Evidence{Exchanges: []evidence.Exchange{x}}})
			want.Store(&tc.body)
			signed.Store(&x.Request.SignedBody)
			got := runScript(t, script, path)
			if got != strconv.Itoa(tc.status) {
				t.Errorf("status %s, want %d; script:\n%s", got, tc.status, script)
			}
			if strings.Contains(script, testSecret) {
				t.Errorf("script holds the secret:\n%s", script)
			}
		})
	}
}

// runScript runs a reproduction with bash in a scratch directory and
// returns the last line it printed.
func runScript(t *testing.T, script, path string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append(os.Environ(), "PATH="+path, "MVH_SECRET="+testSecret), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s\n--- script:\n%s", err, out, script)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// TestReproductionTakesURLFromEnvironment: the run's receiver (a --cmd
// run's ephemeral port) is only the default; URL from the environment wins.
func TestReproductionTakesURLFromEnvironment(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not found")
	}
	path := fakeMvhPath(t) + string(os.PathListSeparator) + os.Getenv("PATH")
	var want, signed atomic.Pointer[string]
	live := verifyingReceiver(testSecret, &want, &signed)
	defer live.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	b := body("call_env", "call.created")
	x := exchange("valid", "valid", b, "2xx", 200, 0)
	x.Started = time.Now()
	x.Request.URL = gone.URL + "/webhooks/minivoice"
	want.Store(&b)
	signed.Store(&x.Request.SignedBody)
	script := Reproduction(Check{ID: "test.env", Evidence: &evidence.Evidence{Exchanges: []evidence.Exchange{x}}})
	if got := runScript(t, script, path, "URL="+live.URL+"/webhooks/minivoice"); got != "200" {
		t.Errorf("status %s with URL set, want 200 from the live receiver; script:\n%s", got, script)
	}
}

func TestPrintfExact(t *testing.T) {
	for _, s := range []string{"", "plain", "a\nb\n", "it's", "%s %d \\n", "\r\n\t", "-x", "caf\u00e9", "\x00\xff", "trailing\n\n"} {
		cmd := exec.Command("bash", "-c", printfExact(s))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if string(out) != s {
			t.Errorf("%q: printf wrote %q via %s", s, out, printfExact(s))
		}
	}
}
