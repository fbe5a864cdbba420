package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minivoice/mvh/spec"
)

// brokenSpec writes a copy of the embedded contract with two breakages and
// returns its path.
func brokenSpec(t *testing.T) string {
	t.Helper()
	doc := string(spec.DefaultDocument())
	for _, r := range [][2]string{
		{"  jitter: 0.1\n", ""},
		{"                  event: call.gathered", "                  event: call.gathering"},
	} {
		if !strings.Contains(doc, r[0]) {
			t.Fatalf("embedded spec has no %q", r[0])
		}
		doc = strings.Replace(doc, r[0], r[1], 1)
	}
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSpecLint(t *testing.T) {
	broken := brokenSpec(t)
	located := regexp.MustCompile(`^` + regexp.QuoteMeta(broken) + `:\d+: [a-z0-9-]+: .+$`)
	tests := []struct {
		name  string
		args  []string
		code  int
		lines []string // rules expected, one per stdout line, in order
	}{
		{"embedded", []string{"spec", "lint"}, 0, nil},
		{"broken file", []string{"spec", "lint", broken}, 1, []string{spec.RuleRetry, spec.RuleExampleEvent}},
		{"broken --spec", []string{"--spec", broken, "spec", "lint"}, 1, []string{spec.RuleRetry, spec.RuleExampleEvent}},
		{"missing file", []string{"spec", "lint", filepath.Join(t.TempDir(), "absent.yaml")}, 2, nil},
		{"two files", []string{"spec", "lint", "a", "b"}, 2, nil},
		{"unknown subcommand", []string{"spec", "lnit"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := mvhIO(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.code, out, errOut)
			}
			switch code {
			case 0:
				if out != spec.DefaultName+": ok\n" {
					t.Errorf("stdout %q", out)
				}
			case 1:
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(lines) != len(tt.lines) {
					t.Fatalf("findings %q, want rules %v", lines, tt.lines)
				}
				for i, l := range lines {
					if !located.MatchString(l) || !strings.Contains(l, ": "+tt.lines[i]+": ") {
						t.Errorf("line %q: want file:line: %s: message", l, tt.lines[i])
					}
				}
			case 2:
				if errOut == "" || out != "" {
					t.Errorf("want one line on stderr only; stdout %q stderr %q", out, errOut)
				}
			}
		})
	}
}

func TestSpecEvents(t *testing.T) {
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := mvhIO(t, "", "spec", "events")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != len(s.Events())+1 || !strings.HasPrefix(lines[0], "EVENT") {
		t.Fatalf("exit %d, stdout:\n%s", code, out)
	}
	for i, e := range s.Events() {
		status := "documented"
		if e.Inferred {
			status = "inferred"
		}
		if f := strings.Fields(lines[i+1]); len(f) < 3 || f[0] != e.Name || f[1] != status {
			t.Errorf("line %q, want %s %s <summary>", lines[i+1], e.Name, status)
		}
	}

	code, out, _ = mvhIO(t, "", "spec", "events", "--json")
	var rows []struct {
		Name     string          `json:"name"`
		Status   string          `json:"status"`
		Inferred bool            `json:"inferred"`
		Summary  string          `json:"summary"`
		Example  json.RawMessage `json:"example"`
	}
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != len(s.Events()) {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	for _, r := range rows {
		if (r.Status == "inferred") != r.Inferred || r.Summary == "" || len(r.Example) == 0 {
			t.Errorf("--json row %+v", r)
		}
	}

	if code, _, errOut := mvhIO(t, "", "--spec", brokenSpec(t), "spec", "events"); code != 2 || !strings.Contains(errOut, "jitter") {
		t.Errorf("broken --spec: exit %d, stderr %q; want 2 naming the problem", code, errOut)
	}
}
