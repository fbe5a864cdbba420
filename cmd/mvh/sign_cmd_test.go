package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mvhIO runs mvh in-process with stdin, as main would.
func mvhIO(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// signVector is the part of spec/signature/testdata/vectors.json the CLI
// tests use; its values were computed with openssl.
type signVector struct {
	Name          string   `json:"name"`
	Secrets       []string `json:"secrets"`
	Timestamp     int64    `json:"timestamp"`
	Body          string   `json:"body"`
	Header        string   `json:"header"`
	VerifySecrets []string `json:"verify_secrets"`
	VerifyHeader  string   `json:"verify_header"`
}

func signVectors(t *testing.T) []signVector {
	t.Helper()
	data, err := os.ReadFile("../../spec/signature/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Vectors []signVector }
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Vectors) == 0 {
		t.Fatalf("vectors.json: %v", err)
	}
	return doc.Vectors
}

func secretFlags(secrets []string) []string {
	var args []string
	for _, s := range secrets {
		args = append(args, "--secret", s)
	}
	return args
}

// TestSignMatchesOpenSSL: `mvh sign` prints exactly the headers whose value
// openssl computed for each pinned vector.
func TestSignMatchesOpenSSL(t *testing.T) {
	for _, v := range signVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			ts := strconv.FormatInt(v.Timestamp, 10)
			want := "X-MiniVoice-Timestamp: " + ts + "\nX-MiniVoice-Signature: " + v.Header + "\n"
			args := append([]string{"sign", "--timestamp", ts}, secretFlags(v.Secrets)...)
			code, out, errOut := mvhIO(t, v.Body, args...)
			if code != 0 || out != want {
				t.Fatalf("stdin: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
			}
			file := filepath.Join(t.TempDir(), "body")
			if err := os.WriteFile(file, []byte(v.Body), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, _ = mvhIO(t, "ignored", append(args, "--body-file", file)...)
			if code != 0 || out != want {
				t.Fatalf("--body-file: exit %d, stdout %q; want %q", code, out, want)
			}
		})
	}
}

func TestSignExitCodes(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.json")
	tests := []struct {
		name    string
		args    []string
		code    int
		mention string // in stderr
	}{
		{"ok", []string{"sign", "--secret", "s", "--timestamp", "1780056000"}, 0, ""},
		{"no secret", []string{"sign", "--timestamp", "1780056000"}, 2, "--secret"},
		{"empty secret", []string{"sign", "--secret", "s", "--secret", "", "--timestamp", "1780056000"}, 2, "--secret #2: empty"},
		{"timestamp not a number", []string{"sign", "--secret", "s", "--timestamp", "soon"}, 2, `--timestamp "soon"`},
		{"timestamp negative", []string{"sign", "--secret", "s", "--timestamp", "-1"}, 2, "--timestamp"},
		{"timestamp with plus", []string{"sign", "--secret", "s", "--timestamp", "+1"}, 2, "--timestamp"},
		{"unreadable body file", []string{"sign", "--secret", "s", "--timestamp", "1", "--body-file", missing}, 2, "--body-file"},
		{"unexpected argument", []string{"sign", "--secret", "s", "body.json"}, 2, "body.json"},
		{"unknown flag", []string{"sign", "--secrets", "s"}, 2, "--secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := mvhIO(t, "{}", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.mention) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", code, errOut, tt.code, tt.mention)
			}
			if strings.Count(errOut, "\n") > 1 {
				t.Errorf("stderr should be one line: %q", errOut)
			}
		})
	}
}

func TestSignDefaultsToNow(t *testing.T) {
	before := time.Now().Unix()
	code, out, _ := mvhIO(t, "{}", "sign", "--secret", "s")
	after := time.Now().Unix()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	ts, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "X-MiniVoice-Timestamp: "), 10, 64)
	if err != nil || ts < before || ts > after {
		t.Fatalf("timestamp line %q, want between %d and %d", lines[0], before, after)
	}
}
