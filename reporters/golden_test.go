package reporters

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// normalisers keep goldens about the format, not the clock or the machine:
// times, durations and temporary paths vary between runs of real suites.
var normalisers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?`), "<TIME>"},
	{regexp.MustCompile(`\b\d{2}:\d{2}:\d{2}\.\d{3}Z`), "<TIME>"},
	{regexp.MustCompile(`"duration_ms": \d+`), `"duration_ms": <MS>`},
	{regexp.MustCompile(`\b\d+ ms\b`), "<MS> ms"},
	{regexp.MustCompile(`time="[0-9.e+-]+"`), `time="<S>"`},
	{regexp.MustCompile(`/tmp/[^\s"'<]+`), "<TMP>"},
}

func normalise(b []byte) []byte {
	for _, n := range normalisers {
		b = n.re.ReplaceAll(b, []byte(n.with))
	}
	return b
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = normalise(got)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reporters -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff with -update and git diff:\n%s", path, firstDiff(want, got))
	}
}

// firstDiff shows where two outputs part, which is enough to start.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < min(len(wl), len(gl)); i++ {
		if !bytes.Equal(wl[i], gl[i]) {
			return "line " + strconv.Itoa(i+1) + "\nwant: " + string(wl[i]) + "\ngot:  " + string(gl[i])
		}
	}
	return "lengths differ: want " + strconv.Itoa(len(wl)) + " lines, got " + strconv.Itoa(len(gl))
}

func TestGoldenFormats(t *testing.T) {
	rep, run := sampleReport(), sampleRun()
	doc := JSON(rep, run)
	junit, err := JUnit(doc)
	if err != nil {
		t.Fatal(err)
	}
	js, err := marshalDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	page, err := HTML(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  []byte
	}{
		{"junit.golden.xml", junit},
		{"report.golden.json", js},
		{"report.golden.md", Markdown(doc)},
		{"report.golden.html", page},
		{"terminal.golden.txt", terminalOutput(rep, run, TerminalOptions{Redact: run.Redact})},
		{"terminal-quiet.golden.txt", terminalOutput(rep, run, TerminalOptions{Quiet: true, Redact: run.Redact})},
		{"terminal-color.golden.txt", terminalOutput(rep, run, TerminalOptions{Color: true, Redact: run.Redact})},
		{"fixtures.golden.txt", savedFixtures(t, rep, run)},
	} {
		t.Run(tc.name, func(t *testing.T) { golden(t, tc.name, tc.got) })
	}
}

func terminalOutput(rep types.Report, run Run, o TerminalOptions) []byte {
	var buf bytes.Buffer
	term := NewTerminal(&buf, o)
	for _, sr := range rep.SpecReports {
		term.Check(sr)
	}
	term.Summary(rep, run, []string{"out/junit.xml", "out/report.json", "out/report.md", "out/report.html"})
	return buf.Bytes()
}

// savedFixtures is every fixture SaveFixtures writes, one after the other.
func savedFixtures(t *testing.T, rep types.Report, run Run) []byte {
	t.Helper()
	dir := t.TempDir()
	paths, err := SaveFixtures(dir, rep, run)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	var buf bytes.Buffer
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("== " + filepath.Base(p) + "\n")
		buf.Write(data)
	}
	return buf.Bytes()
}
