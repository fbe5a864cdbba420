package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

// TestMain lets TestCrashExits run this test binary as the receiver itself,
// so the real os.Exit is exercised without building another binary.
func TestMain(m *testing.M) {
	if os.Getenv("FAULTY_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func TestCrashExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "--secret", receivertest.Secret, "--addr", "127.0.0.1:0",
		"--defect", crashOnOversized)
	cmd.Env = append(os.Environ(), "FAULTY_RUN_MAIN=1")
	var stderr receivertest.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := receivertest.Listening(t, &stderr)
	body := bytes.Repeat([]byte(" "), 5<<20)
	status, _, err := receivertest.Try(ctx, http.MethodPost, "http://"+addr+receivertest.Path, headers(body, time.Now(), ""), body)
	err = errors.Join(err, cmd.Wait())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("answer %d, wait %v; want the process to exit 1\n%s", status, err, stderr.String())
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
