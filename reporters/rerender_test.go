package reporters

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites"
)

// TestRerenderIdentical writes a run's four files, reads its report.json
// back and writes every format again elsewhere: the bytes are the run's,
// whatever the run held (failures with evidence, a leaked secret, skips, a
// suite failure, an interrupted check, a seed, strict).
func TestRerenderIdentical(t *testing.T) {
	interrupted := func() (types.Report, Run) {
		rep := sampleReport()
		last := &rep.SpecReports[len(rep.SpecReports)-2]
		last.State, last.Failure = types.SpecStateInterrupted, types.Failure{Message: "interrupted by user"}
		rep.SpecReports = append(rep.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite,
			State: types.SpecStateFailed, NumAttempts: 1, Failure: types.Failure{Message: "receiver not ready"}})
		rep.SpecialSuiteFailureReasons = []string{ginkgoInterrupted}
		return rep, sampleRun()
	}
	for _, tc := range []struct {
		name  string
		run   func() (types.Report, Run)
		junit []string // what junit.xml must say of the run
	}{
		{"sample", func() (types.Report, Run) { return sampleReport(), sampleRun() }, []string{`failures="5"`, `skipped="1"`}},
		{"strict with seed", func() (types.Report, Run) {
			run := sampleRun()
			run.Strict, run.Seed = true, 424242
			return sampleReport(), run
		}, []string{`name="strict" value="true"`, `name="seed" value="424242"`}},
		{"suite failure and interrupt", interrupted, []string{`<testcase name="[BeforeSuite]"`, `<testcase name="[suite]"`,
			`<error message="` + InterruptedReason + `" type="interrupted">`, `errors="1"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, run := tc.run()
			first, again := t.TempDir(), t.TempDir()
			ran, err := WriteDir(first, rep, run)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ReadDocument(filepath.Join(first, JSONFile))
			if err != nil {
				t.Fatal(err)
			}
			rendered, err := WriteDocument(again, doc)
			if err != nil || len(rendered) != len(ran) {
				t.Fatalf("WriteDocument wrote %v, %v; want %d files", rendered, err, len(ran))
			}
			for i := range ran {
				want, _ := os.ReadFile(ran[i])
				got, err := os.ReadFile(rendered[i])
				if err != nil || filepath.Base(ran[i]) != filepath.Base(rendered[i]) {
					t.Fatalf("%s: %v", rendered[i], err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the run's:\n%s", filepath.Base(ran[i]), firstDiff(want, got))
				}
			}
			junit, _ := os.ReadFile(filepath.Join(again, JUnitFile))
			for _, w := range tc.junit {
				if !bytes.Contains(junit, []byte(w)) {
					t.Errorf("junit.xml lacks %s", w)
				}
			}
		})
	}
}

func TestReadDocumentRefuses(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"missing", filepath.Join(dir, "absent.json"), fs.ErrNotExist},
		{"not JSON", file("junit.xml", "<?xml version=\"1.0\"?><testsuites/>"), ErrNotReport},
		{"an array", file("array.json", "[]"), ErrNotReport},
		{"another JSON object", file("package.json", `{"name":"x","version":"1.0.0"}`), ErrNotReport},
		{"schema_version 0", file("zero.json", `{"schema_version":0,"verdict":"pass","checks":[]}`), ErrNotReport},
		{"a newer schema", file("newer.json", `{"schema_version":99,"verdict":"pass","checks":[]}`), ErrNewerSchema},
		{"trailing garbage", file("cut.json", `{"schema_version":1,"verdict":"pass","checks":[]}}`), ErrNotReport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDocument(tc.path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tc.path)) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
}

// TestSuiteIsTheSuitesDescription: junit.xml names its suite and cases
// after the conformance suite, as Ginkgo's own reporter did.
func TestSuiteIsTheSuitesDescription(t *testing.T) {
	if Suite != suites.Description {
		t.Errorf("reporters.Suite %q, suites.Description %q", Suite, suites.Description)
	}
}
