package suites_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/harness"
)

// expectAllPassed checks a run against the reference: every check that ran
// passed and, when no flag narrowed the selection, every catalogue check
// ran exactly once, in catalogue order.
func expectAllPassed(t *testing.T, rep types.Report, whole bool) {
	t.Helper()
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ran []string
	for _, sr := range rep.SpecReports {
		st := catalogue.StatusOf(sr)
		if !catalogue.IsCheck(sr) || (st == catalogue.NotRun && !whole) {
			continue
		}
		ran = append(ran, sr.LeafNodeText)
		if st != catalogue.Passed {
			t.Errorf("%s: %s: %s", sr.LeafNodeText, st, sr.FailureMessage())
		}
	}
	if whole && !slices.Equal(ran, cat.IDs()) {
		t.Errorf("checks ran in order %v, want the catalogue's %v", ran, cat.IDs())
	}
}

// TestCatalogueAgreement previews the spec tree (nothing runs) and checks
// that catalogue and specs agree exactly: one spec per check, named by its
// ID, labelled from the catalogue, in catalogue order.
func TestCatalogueAgreement(t *testing.T) {
	var c harness.Config
	c.RegisterFlags(flag.NewFlagSet("preview", flag.ContinueOnError))
	c.Cmd = "unused"
	rep, registered, err := suites.Preview(c)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := catalogue.Load()
	for _, id := range cat.IDs() {
		if registered[id] != 1 {
			t.Errorf("%s registered %d times", id, registered[id])
		}
	}
	var order []string
	for _, sr := range rep.SpecReports {
		if !catalogue.IsCheck(sr) {
			continue
		}
		order = append(order, sr.LeafNodeText)
		ch, ok := cat.Check(sr.LeafNodeText)
		if !ok {
			t.Errorf("spec %q is not a catalogue check", sr.LeafNodeText)
			continue
		}
		if !slices.Equal(sr.Labels(), ch.Labels()) {
			t.Errorf("%s: labels %v, want %v", ch.ID, sr.Labels(), ch.Labels())
		}
		checkLocation(t, ch.ID, sr.LeafNodeLocation)
	}
	if !slices.Equal(order, cat.IDs()) {
		t.Errorf("spec order %v, want the catalogue's %v", order, cat.IDs())
	}
}

// checkLocation: a spec's location (what junit.xml and a timeout's failure
// show) is the line of the check package that registers it, never the
// framework's.
func checkLocation(t *testing.T, id string, loc types.CodeLocation) {
	t.Helper()
	dir := filepath.Base(filepath.Dir(loc.FileName))
	if dir == "framework" || dir == "suites" || loc.LineNumber <= 0 {
		t.Errorf("%s: spec located at %s, want its check's own line", id, loc)
		return
	}
	src, err := os.ReadFile(loc.FileName)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	lines := strings.Split(string(src), "\n")
	if loc.LineNumber > len(lines) || !strings.Contains(lines[loc.LineNumber-1], ".Check(") {
		t.Errorf("%s: spec located at %s, which does not register a check", id, loc)
	}
}
