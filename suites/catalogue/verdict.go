package catalogue

import (
	"github.com/onsi/ginkgo/v2/types"
	"strings"
)

// Status is a check's outcome as the reports show it.
type Status string

// Statuses of a check. NotRun is a check left out by --only, --skip or
// --level (or after an interrupt); Skipped is one that could not be judged,
// such as an observation check without observation, and says why;
// Interrupted is the check that was running when the run was stopped
// (SIGINT, SIGTERM): not judged, so neither passed nor failed.
const (
	Passed      Status = "passed"
	Failed      Status = "failed"
	Skipped     Status = "skipped"
	Interrupted Status = "interrupted"
	NotRun      Status = "not-run"
)

// StatusOf maps Ginkgo's spec state to a check status. A spec skipped at
// run time carries Skip's message; one filtered out by labels carries none.
func StatusOf(sr types.SpecReport) Status {
	switch {
	case sr.State == types.SpecStatePassed:
		return Passed
	case sr.State == types.SpecStateInterrupted, TimedOutRun(sr):
		return Interrupted
	case sr.State.Is(types.SpecStateFailureStates):
		return Failed
	case sr.State == types.SpecStateSkipped && sr.Failure.Message != "":
		return Skipped
	default:
		return NotRun
	}
}

// suiteTimeout starts the failure Ginkgo gives the check that was running
// when the run's --timeout (its suite timeout) elapsed; a check's own time
// limit says "A spec timeout occurred" and is a failure of the check.
const suiteTimeout = "A suite timeout occurred"

// TimedOutRun reports whether sr was stopped by the run's --timeout rather
// than by its own time limit.
func TimedOutRun(sr types.SpecReport) bool {
	return sr.State == types.SpecStateTimedout && strings.HasPrefix(sr.Failure.Message, suiteTimeout)
}

// LevelOf reads a check's level from its spec labels; "" for a spec that
// is not a catalogue check.
func LevelOf(sr types.SpecReport) Level {
	for _, l := range sr.Labels() {
		switch Level(l) {
		case Must, Should:
			return Level(l)
		}
	}
	return ""
}

// IsCheck reports whether a spec report is a check (an It), not a suite
// node such as ReportAfterSuite.
func IsCheck(sr types.SpecReport) bool { return sr.LeafNodeType == types.NodeTypeIt }

// Summary is the verdict of a run and the counts behind it.
type Summary struct {
	// Pass is true when no MUST check failed (and, with strict, no SHOULD
	// check either) and the suite itself did not fail outside the checks.
	Pass bool `json:"pass"`
	// Counts holds, per level, how many checks ended in each status.
	Counts map[Level]map[Status]int `json:"counts"`
	// Failed lists the failing check IDs in run order, any level.
	Failed []string `json:"failed,omitempty"`
	// SuiteErrors are failures outside any check (interrupt, timeout, a
	// broken suite node); any of them fails the run.
	SuiteErrors []string `json:"suite_errors,omitempty"`
}

// Verdict judges a report: MUST failures fail the run, SHOULD failures only
// with strict, and so does anything that went wrong outside the checks.
func Verdict(rep types.Report, strict bool) Summary {
	s := Summary{Pass: true, Counts: map[Level]map[Status]int{
		Must: {}, Should: {},
	}}
	for _, sr := range rep.SpecReports {
		if !IsCheck(sr) {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.SuiteErrors = append(s.SuiteErrors, sr.LeafNodeType.String()+": "+sr.Failure.Message)
				s.Pass = false
			}
			continue
		}
		level, status := LevelOf(sr), StatusOf(sr)
		if level == "" {
			s.SuiteErrors = append(s.SuiteErrors, "spec "+sr.LeafNodeText+" is not in the catalogue")
			s.Pass = false
			continue
		}
		s.Counts[level][status]++
		if status == Failed {
			s.Failed = append(s.Failed, sr.LeafNodeText)
			if level == Must || strict {
				s.Pass = false
			}
		}
	}
	for _, reason := range rep.SpecialSuiteFailureReasons {
		s.SuiteErrors = append(s.SuiteErrors, reason)
		s.Pass = false
	}
	return s
}
