package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEJUnitNames runs a real conform and checks that junit.xml names
// its testcases the way README.md's Reports table says (it once left out
// the suite prefix the file has).
func TestREADMEJUnitNames(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("named `([^`]*<ID>[^`]*)`").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md does not document the JUnit testcase names (named `... <ID> ...`)")
	}
	dir := t.TempDir()
	// A real mvh process: a run in this one would share Ginkgo's global
	// state with whatever in-process run came before.
	run := exec.Command(mvhBinary(t), "conform", "--demo", "--only", "signature.missing", "--report-dir", dir)
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("mvh conform --demo: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || len(suites.Suites) != 1 || len(suites.Suites[0].Cases) != 1 {
		t.Fatalf("junit.xml: %v %+v", err, suites)
	}
	want := strings.NewReplacer("<ID>", "signature.missing", "<LEVEL>", "MUST").Replace(string(m[1]))
	if got := suites.Suites[0].Cases[0].Name; got != want {
		t.Errorf("junit.xml testcase %q, README.md says %q", got, want)
	}
}
