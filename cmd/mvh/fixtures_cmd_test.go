package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minivoice/mvh/fixtures"

	"github.com/minivoice/mvh/spec/signature"
)

const committedFixtures = "../../fixtures/minivoice"

func runMVH(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestFixturesGenerateReproducesCommitted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fx")
	code, stdout, stderr := runMVH(t, "fixtures", "generate", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, err := os.ReadDir(committedFixtures)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || strings.Count(stdout, "\n") != len(want) {
		t.Fatalf("%d files written, %d lines printed, %d committed", len(got), strings.Count(stdout, "\n"), len(want))
	}
	for _, e := range want {
		committed, _ := os.ReadFile(filepath.Join(committedFixtures, e.Name()))
		fresh, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || !bytes.Equal(committed, fresh) {
			t.Errorf("%s: generated file differs from the committed one (%v)", e.Name(), err)
		}
		if !strings.Contains(stdout, filepath.Join(dir, e.Name())+"\n") {
			t.Errorf("%s not printed", e.Name())
		}
	}
}

func TestFixturesBadInput(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MVH_SECRET", "")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "unknown subcommand", args: []string{"fixtures", "bogus"}, wantErr: `unknown command "bogus"`},
		{name: "generate without --out", args: []string{"fixtures", "generate"}, wantErr: "--out"},
		{name: "generate bad timestamp", args: []string{"fixtures", "generate", "--out", t.TempDir(), "--timestamp", "noon"}, wantErr: "--timestamp"},
		{name: "generate negative timestamp", args: []string{"fixtures", "generate", "--out", t.TempDir(), "--timestamp", "-1"}, wantErr: "timestamp -1"},
		{name: "generate unwritable dir", args: []string{"fixtures", "generate", "--out", filepath.Join(blocker, "sub")}, wantErr: blocker},
		{name: "generate empty secret", args: []string{"fixtures", "generate", "--out", t.TempDir(), "--secret", ""}, wantErr: "--secret: empty"},
		{name: "generate extra argument", args: []string{"fixtures", "generate", "--out", t.TempDir(), "extra"}, wantErr: "extra"},
		{name: "replay missing dir", args: []string{"fixtures", "replay", "--dir", filepath.Join(blocker, "no"), "--to", "http://127.0.0.1:1", "--secret", "s"}, wantErr: "load fixtures"},
		{name: "replay empty dir", args: []string{"fixtures", "replay", "--dir", t.TempDir(), "--to", "http://127.0.0.1:1", "--secret", "s"}, wantErr: "no fixtures"},
		{name: "replay invalid url", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--to", "127.0.0.1:8080", "--secret", "s"}, wantErr: `url "127.0.0.1:8080"`},
		{name: "replay port out of range", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--to", "http://127.0.0.1:99999", "--secret", "s"}, wantErr: "--to: url"},
		{name: "replay ftp url", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--to", "ftp://127.0.0.1/", "--secret", "s"}, wantErr: "want an absolute http"},
		{name: "replay without secret", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--to", "http://127.0.0.1:1"}, wantErr: "--secret"},
		{name: "replay without --to", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--secret", "s"}, wantErr: "--to"},
		{name: "replay zero timeout", args: []string{"fixtures", "replay", "--dir", committedFixtures, "--to", "http://127.0.0.1:1", "--secret", "s", "--timeout", "0s"}, wantErr: "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMVH(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q, stdout %q; want exit 2 and %q", code, stderr, stdout, tt.wantErr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

// correctReceiver verifies signatures over the raw body with the real clock
// and answers 401 / 400 / 200 like a correct receiver.
func correctReceiver(secret string) http.Handler {
	v := signature.NewVerifier(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := v.VerifyRequest(r.Header, body); err != nil {
			http.Error(w, `{"ok":false,"error":"bad signature"}`, http.StatusUnauthorized)
			return
		}
		var obj map[string]any
		if json.Unmarshal(body, &obj) != nil || obj == nil {
			http.Error(w, `{"ok":false,"error":"bad body"}`, http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
}

func TestFixturesReplay(t *testing.T) {
	const secret = "whsec_replay_test"
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	entries, err := os.ReadDir(committedFixtures)
	if err != nil {
		t.Fatal(err)
	}
	n := len(entries)
	summary := func(passed int) string { return fmt.Sprintf("%d fixtures: %d passed, %d failed", n, passed, n-passed) }
	tests := []struct {
		name      string
		handler   http.Handler // nil: an address nothing listens on
		wantCode  int
		wantFail  []string // fixtures that must print ✗
		wantLines []string
	}{
		{name: "correct receiver", handler: correctReceiver(secret), wantCode: 0,
			wantLines: []string{"✓ valid-call.created expected 2xx got 200", "✓ wrong-secret expected 4xx got 401", "✓ malformed-json expected 4xx got 400", summary(n)}},
		{name: "accepts everything", handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), wantCode: 1,
			wantFail:  []string{"empty-body", "future-timestamp", "malformed-json", "missing-signature", "stale-timestamp", "tampered-body", "wrong-secret"},
			wantLines: []string{"✗ wrong-secret expected 4xx got 200", "✓ rotated-secrets expected 2xx got 200", summary(n - 7)}},
		{name: "unreachable", wantCode: 1, wantLines: []string{"✗ valid-call.created expected 2xx got error: ", summary(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := closed.URL
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				url = srv.URL
			}
			code, stdout, stderr := runMVH(t, "fixtures", "replay", "--dir", committedFixtures, "--to", url, "--secret", secret, "--timeout", "5s")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, l := range tt.wantLines {
				if !strings.Contains(stdout, l) {
					t.Errorf("stdout lacks %q:\n%s", l, stdout)
				}
			}
			for _, name := range tt.wantFail {
				if !strings.Contains(stdout, "✗ "+name+" ") {
					t.Errorf("%s did not fail:\n%s", name, stdout)
				}
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Error("the secret was printed")
			}
		})
	}
}

// TestFixturesReplayPath: fixtures saved by mvh listen record the inbox's
// path ("/"); a --to without a path posts to the contract's default webhook
// path and says so, a --to with one posts there, so a receiver that serves
// only its webhook path answers every fixture (no 404 counted as a 4xx).
func TestFixturesReplayPath(t *testing.T) {
	const secret = "whsec_replay_test"
	fs, err := fixtures.Load(committedFixtures)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range fs {
		fs[i].Request.Path = "/"
	}
	if err := fixtures.Write(dir, fs...); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/minivoice", correctReceiver(secret))
	mux.Handle("POST /custom/hook", correctReceiver(secret))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct{ to, want string }{
		{srv.URL, "to " + srv.URL + "/webhooks/minivoice (--to has no path: the contract's default webhook path)"},
		{srv.URL + "/custom/hook", "to " + srv.URL + "/custom/hook (the path of --to)"},
	} {
		code, stdout, stderr := runMVH(t, "fixtures", "replay", "--dir", dir, "--to", tc.to, "--secret", secret, "--timeout", "5s")
		if code != 0 || !strings.Contains(stdout, tc.want) || !strings.Contains(stdout, fmt.Sprintf("%d passed, 0 failed", len(fs))) {
			t.Errorf("--to %s: exit %d, want 0 and %q\n%s\n%s", tc.to, code, tc.want, stdout, stderr)
		}
	}
}
