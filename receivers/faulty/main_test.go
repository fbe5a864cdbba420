package main

import (
	"bytes"
	"net/http"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

// TestMain lets the crash tests run this test binary as the receiver
// itself, so real processes exit and are killed without building another
// binary.
func TestMain(m *testing.M) {
	receivertest.RunMainIfAsked(main)
	os.Exit(m.Run())
}

func TestCrashExits(t *testing.T) {
	p := receivertest.Start(t, nil, "--secret", receivertest.Secret, "--addr", "127.0.0.1:0", "--defect", crashOnOversized)
	body := bytes.Repeat([]byte(" "), 5<<20)
	status, _, err := receivertest.Try(t.Context(), http.MethodPost, "http://"+p.Addr+receivertest.Path, headers(body, time.Now(), ""), body)
	if code := p.Wait(t); code != 1 {
		t.Fatalf("answer %d (%v), exit %d; want the process to exit 1\n%s", status, err, code, p.Logs)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	receivertest.RefusesBadConfig(t, run, []receivertest.BadConfig{
		{Name: "no secret", Want: "secret: required"},
		{Name: "unknown defect", Args: []string{"--secret", "s", "--defect", "typo"}, Want: "valid: accept-unsigned, "},
		{Name: "unknown defect from env", Args: []string{"--secret", "s"}, Env: map[string]string{"DEFECT": "typo"}, Want: `defect "typo"`},
		{Name: "unknown variant", Args: []string{"--secret", "s", "--variant", "typo"}, Want: "valid: shed-429, "},
		{Name: "defect and variant", Args: []string{"--secret", "s", "--defect", "no-dedupe", "--variant", "shed-429"}, Want: "choose one"},
		{Name: "negative forward delay", Args: []string{"--secret", "s", "--forward-delay", "-1s"}, Want: "forward-delay"},
		{Name: "bad addr", Args: []string{"--secret", "s", "--addr", "x"}, Want: "addr"},
		{Name: "bad port", Args: []string{"--secret", "s", "--addr", "127.0.0.1:99999"}, Want: "listen 127.0.0.1:99999"},
	})
}

// TestDefectTable keeps README.md's table equal to defects().
func TestDefectTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| ([a-z, ]+) \\| (.+?) \\| `([a-z.-]+)` \\|")
	rows := row.FindAllStringSubmatch(string(readme), -1)
	ds := defects()
	if len(rows) != len(ds) {
		t.Fatalf("README lists %d defects, code %d", len(rows), len(ds))
	}
	for i, d := range ds {
		want := []string{d.Name, d.Step, d.Bug, d.Check}
		if got := rows[i][1:5]; !slices.Equal(got, want) {
			t.Errorf("README row %d = %q, want %q", i+1, got, want)
		}
	}
}

// TestVariantTable keeps README.md's table of variants equal to variants().
func TestVariantTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `--variant ([a-z0-9-]+)` \\| (.+) \\|$").FindAllStringSubmatch(string(readme), -1)
	vs := variants()
	if len(rows) != len(vs) {
		t.Fatalf("README lists %d variants, code %d", len(rows), len(vs))
	}
	for i, v := range vs {
		if got, want := rows[i][1:3], []string{v.Name, v.What}; !slices.Equal(got, want) {
			t.Errorf("README row %d = %q, want %q", i+1, got, want)
		}
	}
}
