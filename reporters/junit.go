package reporters

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/minivoice/mvh/suites/evidence"
)

// Suite is junit.xml's testsuite and testcase classname: the conformance
// suite's Ginkgo description (suites.Description), which CI systems key
// test history on together with the testcase names.
const Suite = "MiniVoice receiver conformance"

// suitePackage is junit.xml's testsuite package: where the checks live.
const suitePackage = "github.com/minivoice/mvh/suites"

// JUnit renders junit.xml from the Document, like every other format, so a
// run and `mvh report` of its report.json write the same bytes. It keeps
// Ginkgo's JUnit XML types for the structure and Ginkgo's conventions for
// the content: one testcase per check named "<suite> <check> [<level>]"
// with the catalogue facts as properties (check_id, level, area, title, and
// for failed checks the evidence as JSON), then one per failure outside the
// checks, named "[<node>]".
func JUnit(doc Document) ([]byte, error) {
	suite := reporters.JUnitTestSuite{
		Name:       Suite,
		Package:    suitePackage,
		Time:       seconds(doc.DurationMS),
		Timestamp:  doc.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: reporters.JUnitProperties{Properties: suiteProperties(doc)},
	}
	for _, c := range doc.Checks {
		suite.TestCases = append(suite.TestCases, testCase(c))
		switch c.Status {
		case StatusFailed:
			suite.Failures++
		case StatusSkipped:
			suite.Skipped++
		case StatusInterrupted:
			suite.Errors++
		}
	}
	for _, f := range doc.SuiteFailures {
		suite.TestCases = append(suite.TestCases, reporters.JUnitTestCase{
			Name: "[" + f.Node + "]", Classname: Suite, Status: StatusFailed,
			Failure: &reporters.JUnitFailure{Message: f.Message, Type: StatusFailed, Description: "[FAILED] " + f.Message + "\n"},
		})
		suite.Failures++
	}
	suite.Tests = len(suite.TestCases)
	all := reporters.JUnitTestSuites{
		Tests: suite.Tests, Disabled: suite.Skipped, Errors: suite.Errors, Failures: suite.Failures,
		Time: suite.Time, TestSuites: []reporters.JUnitTestSuite{suite},
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return nil, fmt.Errorf("junit: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// suiteProperties are the run's facts a CI page shows beside the cases.
func suiteProperties(doc Document) []reporters.JUnitProperty {
	props := []reporters.JUnitProperty{
		{Name: "verdict", Value: doc.Verdict},
		{Name: "strict", Value: strconv.FormatBool(doc.Strict)},
		{Name: "harness_version", Value: doc.Harness.Version},
	}
	if doc.Harness.Seed != 0 {
		props = append(props, reporters.JUnitProperty{Name: "seed", Value: strconv.FormatInt(doc.Harness.Seed, 10)})
	}
	return props
}

// testCase is one check as JUnit sees it: a failure is a <failure>, a
// skip a <skipped> and an interrupted check an <error>, as Ginkgo writes
// them.
func testCase(c Check) reporters.JUnitTestCase {
	tc := reporters.JUnitTestCase{
		Name:      fmt.Sprintf("%s %s [%s]", Suite, c.ID, c.Level),
		Classname: Suite,
		Status:    c.Status,
		Time:      seconds(c.DurationMS),
	}
	props := []reporters.JUnitProperty{
		{Name: "check_id", Value: c.ID},
		{Name: "level", Value: c.Level},
		{Name: "area", Value: c.Area},
		{Name: "title", Value: c.Title},
	}
	switch c.Status {
	case StatusFailed:
		desc := "[FAILED] " + c.Failure + "\n"
		if c.FailureLocation != "" {
			desc += "In [It] at: " + c.FailureLocation + "\n"
		}
		tc.Failure = &reporters.JUnitFailure{Message: c.Failure, Type: StatusFailed, Description: desc}
		if c.Evidence != nil {
			if data, err := json.Marshal(c.Evidence); err == nil {
				props = append(props, reporters.JUnitProperty{Name: evidence.EntryName, Value: string(data)})
			}
		}
	case StatusSkipped:
		msg := "skipped"
		if c.SkipReason != "" {
			msg += " - " + c.SkipReason
		}
		tc.Skipped = &reporters.JUnitSkipped{Message: msg}
	case StatusInterrupted:
		tc.Error = &reporters.JUnitError{Message: c.SkipReason, Type: StatusInterrupted, Description: "[INTERRUPTED] " + c.SkipReason + "\n"}
	}
	tc.Properties = &reporters.JUnitProperties{Properties: props}
	return tc
}

// seconds is a millisecond count as JUnit's time attribute.
func seconds(ms int64) float64 { return float64(ms) / 1000 }
