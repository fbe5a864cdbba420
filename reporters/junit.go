package reporters

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/evidence"
)

// junitConfig keeps junit.xml about the checks: no timelines or captured
// output for specs that passed or were skipped, no leaf node type or label
// soup in the names (the level is a property and a name suffix instead).
var junitConfig = reporters.JunitReportConfig{
	OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStatePending,
	OmitCapturedStdOutErr:     true,
	OmitSpecLabels:            true,
	OmitLeafNodeType:          true,
}

// JUnit renders junit.xml with Ginkgo's own JUnit reporter, one testcase per
// check (suite nodes appear only when they failed), then adds the catalogue
// facts as testcase properties through Ginkgo's JUnit model: check_id,
// level, area, title, and for failed checks the evidence as JSON. Ginkgo only writes to a file, so it goes through a
// temporary one. The result is scrubbed of run.Redact.
func JUnit(rep types.Report, run Run) ([]byte, error) {
	rep, orig := junitSpecs(rep)
	tmp, err := os.MkdirTemp("", "mvh-junit-")
	if err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, JUnitFile)
	if err := reporters.GenerateJUnitReportWithConfig(rep, path, junitConfig); err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &suites); err != nil {
		return nil, fmt.Errorf("junit: ginkgo's output: %w", err)
	}
	addCheckProperties(&suites, orig, run.Strict)
	if run.Seed != 0 {
		for i := range suites.TestSuites {
			p := &suites.TestSuites[i].Properties
			p.Properties = append(p.Properties, reporters.JUnitProperty{Name: "seed", Value: strconv.FormatInt(run.Seed, 10)})
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	buf.WriteByte('\n')
	return newRedactor(run.Redact, run.Keep).Bytes(buf.Bytes()), nil
}

// junitSpecs keeps the specs junit.xml lists: checks that were selected, and
// suite nodes only when they failed, so every testcase is a check unless
// something outside the checks broke. Evidence entries are taken out: Ginkgo
// would dump them, uncapped, into every property list and failure timeline;
// addCheckProperties puts the capped evidence of failed checks back.
func junitSpecs(rep types.Report) (types.Report, []types.SpecReport) {
	var keep, orig types.SpecReports
	for _, sr := range rep.SpecReports {
		if !selected(sr) || sr.LeafNodeType != types.NodeTypeIt && !sr.Failed() {
			continue
		}
		orig = append(orig, sr)
		sr.ReportEntries = slices.DeleteFunc(slices.Clone(sr.ReportEntries), func(e types.ReportEntry) bool {
			return e.Name == evidence.EntryName
		})
		keep = append(keep, sr)
	}
	rep.SpecReports = keep
	return rep, orig
}

// addCheckProperties relies on Ginkgo writing one testcase per spec report
// in order; it leaves the suites untouched if that ever stops being true.
func addCheckProperties(suites *reporters.JUnitTestSuites, specs []types.SpecReport, strict bool) {
	if len(suites.TestSuites) != 1 || len(suites.TestSuites[0].TestCases) != len(specs) {
		return
	}
	cases := suites.TestSuites[0].TestCases
	for i, sr := range specs {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		c := checkOf(sr, strict)
		tc := &cases[i]
		tc.Name = fmt.Sprintf("%s [%s]", tc.Name, c.Level)
		if tc.Properties == nil {
			tc.Properties = &reporters.JUnitProperties{}
		}
		props := []reporters.JUnitProperty{
			{Name: "check_id", Value: c.ID},
			{Name: "level", Value: c.Level},
			{Name: "area", Value: c.Area},
			{Name: "title", Value: c.Title},
		}
		if c.Status == StatusFailed && c.Evidence != nil {
			if data, err := json.Marshal(c.Evidence); err == nil {
				props = append(props, reporters.JUnitProperty{Name: evidence.EntryName, Value: string(data)})
			}
		}
		tc.Properties.Properties = append(props, tc.Properties.Properties...)
	}
}
