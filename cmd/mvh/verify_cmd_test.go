package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestVerifyVectors(t *testing.T) {
	for _, v := range signVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			ts := strconv.FormatInt(v.Timestamp, 10)
			args := append([]string{"verify", "--timestamp", ts, "--signature", v.VerifyHeader, "--now", ts}, secretFlags(v.VerifySecrets)...)
			if code, out, errOut := mvhIO(t, v.Body, args...); code != 0 || out != "valid\n" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if code, out, _ := mvhIO(t, v.Body+"x", args...); code != 1 || out != "invalid: no signature matches\n" {
				t.Fatalf("tampered: exit %d, stdout %q", code, out)
			}
		})
	}
}

func TestVerifyExitCodes(t *testing.T) {
	const ts, body = "1780056000", `{"event":"call.created"}`
	const sig = "v1=21054e4af817ed83318fe7f57aa5cc4a44ed3bb803080a767accb290641115d8" // openssl, see vectors.json
	missing := filepath.Join(t.TempDir(), "absent.json")
	file := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	base := func(extra ...string) []string {
		return append([]string{"verify", "--secret", "whsec_minivoice_test", "--timestamp", ts, "--signature", sig, "--now", ts}, extra...)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, when code < 2
		stderr string // contained, when code == 2
	}{
		{"valid", base(), 0, "valid\n", ""},
		{"valid from body file", base("--body-file", file), 0, "valid\n", ""},
		{"rotation with unknown scheme", base("--signature", "v0=garbage,v1="+strings.Repeat("0", 64)+","+sig), 0, "valid\n", ""},
		{"within tolerance", base("--now", "1780056300"), 0, "valid\n", ""},
		{"stale", base("--now", "1780056301"), 1, "invalid: timestamp too old: 5m1s old, tolerance 5m0s\n", ""},
		{"future", base("--now", "1780055699"), 1, "invalid: timestamp too far in the future: 5m1s ahead, tolerance 5m0s\n", ""},
		{"custom tolerance", base("--now", "1780056011", "--tolerance", "10s"), 1, "invalid: timestamp too old: 11s old, tolerance 10s\n", ""},
		{"correct and wrong secret", append(base(), "--secret", "other"), 0, "valid\n", ""},
		{"only wrong secret", []string{"verify", "--secret", "other", "--timestamp", ts, "--signature", sig, "--now", ts}, 1, "invalid: no signature matches\n", ""},
		{"malformed signature", base("--signature", "sha256=abc"), 1, "invalid: malformed header X-MiniVoice-Signature: no v1 entry\n", ""},
		{"absent signature header", base("--signature", ""), 1, "invalid: missing header X-MiniVoice-Signature\n", ""},
		{"malformed timestamp", base("--timestamp", "12:00"), 1, "invalid: malformed header X-MiniVoice-Timestamp: \"12:00\" is not integer Unix seconds\n", ""},
		{"no secret", []string{"verify", "--timestamp", ts, "--signature", sig}, 2, "", "--secret"},
		{"empty secret", append(base(), "--secret", ""), 2, "", "--secret #2: empty"},
		{"no signature flag", []string{"verify", "--secret", "s", "--timestamp", ts}, 2, "", "--signature"},
		{"unreadable body file", base("--body-file", missing), 2, "", "--body-file"},
		{"bad now", base("--now", "noon"), 2, "", `--now "noon"`},
		{"bad tolerance", base("--tolerance", "5 minutes"), 2, "", "--tolerance"},
		{"negative tolerance", base("--tolerance", "-5s"), 2, "", "--tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := mvhIO(t, body, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tt.code, out, errOut)
			}
			if code < 2 && out != tt.stdout {
				t.Errorf("stdout %q, want %q", out, tt.stdout)
			}
			if code == 2 && !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q should mention %q", errOut, tt.stderr)
			}
			if strings.Contains(out+errOut, "whsec_minivoice_test") {
				t.Error("output reveals the secret")
			}
		})
	}
}
