package main

import (
	"encoding/xml"
	"os"
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
	mvhBinary(t) // --demo re-executes this binary as the reference receiver
	dir := t.TempDir()
	if code, stdout, stderr := conformRun(t, "--demo", "--only", "signature.missing", "--report-dir", dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
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
