package reporters

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/evidence"
)

// SchemaVersion is report.json's schema_version. It changes only when a
// field changes meaning or disappears; added fields keep it.
const SchemaVersion = 1

// Verdicts and statuses of report.json.
const (
	VerdictPass   = "pass"
	VerdictFail   = "fail"
	StatusPassed  = string(catalogue.Passed)
	StatusFailed  = string(catalogue.Failed)
	StatusSkipped = string(catalogue.Skipped)
	// StatusInterrupted is the check that was running when the run was
	// stopped: not judged; the checks after it are not run.
	StatusInterrupted = string(catalogue.Interrupted)
	LevelMust         = string(catalogue.Must)
	LevelShould       = string(catalogue.Should)
)

// Document is report.json, and the model every other format renders. Its
// schema is documented in README.md ("## Reports").
type Document struct {
	SchemaVersion  int      `json:"schema_version"`
	Verdict        string   `json:"verdict"`
	VerdictReasons []string `json:"verdict_reasons,omitempty"`
	// Skips count the skipped checks per level and reason: a verdict with
	// checks it could not judge says so.
	Skips         []string       `json:"skips,omitempty"`
	Strict        bool           `json:"strict"`
	Target        Target         `json:"target"`
	Harness       Harness        `json:"harness"`
	Spec          SpecInfo       `json:"spec"`
	StartedAt     time.Time      `json:"started_at"`
	DurationMS    int64          `json:"duration_ms"`
	Summary       Summary        `json:"summary"`
	Checks        []Check        `json:"checks"`
	SuiteFailures []SuiteFailure `json:"suite_failures,omitempty"`
	ReceiverLogs  string         `json:"receiver_logs,omitempty"`
}

// Target is the receiver under test.
type Target struct {
	Description string `json:"description"`
	URL         string `json:"url"`
	// Observation is how the checks saw the receiver's records: sink,
	// inspect, sql, command, or none (observation checks skipped or, with
	// --require-observation, failed).
	Observation string `json:"observation,omitempty"`
}

// Harness is what ran the checks.
type Harness struct {
	Version string `json:"version"`
	Command string `json:"command"`
	// Seed is input.generated's seed; --seed repeats the run's payloads.
	Seed int64 `json:"seed,omitempty"`
}

// SpecInfo names the contract the checks come from.
type SpecInfo struct {
	Title   string `json:"title"`
	Version string `json:"version"`
}

// Summary counts checks overall and per level. NotRun counts checks left
// out of the run (--only, --skip, --level, an interrupt); they are not in
// Checks.
type Summary struct {
	Total   Counts            `json:"total"`
	ByLevel map[string]Counts `json:"by_level"`
	NotRun  int               `json:"not_run"`
}

// Counts are checks by status.
type Counts struct {
	Checks  int `json:"checks"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// Interrupted is 0 or 1: the check a signal stopped the run during.
	Interrupted int `json:"interrupted"`
}

// Check is one catalogue check's outcome.
type Check struct {
	ID         string `json:"id"`
	Level      string `json:"level"`
	Area       string `json:"area"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Blocking   bool   `json:"blocking"` // a failure of this check fails the verdict (MUST, or SHOULD with strict)
	DurationMS int64  `json:"duration_ms"`
	Failure    string `json:"failure,omitempty"`
	// FailureLocation is the file:line of the assertion that failed the
	// check, for its author (junit.xml prints it under the failure).
	FailureLocation string `json:"failure_location,omitempty"`
	SkipReason      string `json:"skip_reason,omitempty"`
	// Evidence is nil when the check attached none (it failed before sending).
	Evidence *evidence.Evidence `json:"evidence,omitempty"`
}

// SuiteFailure is a failure outside any check (the receiver never became
// ready, the run was interrupted): it fails the verdict.
type SuiteFailure struct {
	Node    string `json:"node"`
	Message string `json:"message"`
}

// logLimit is how much of the receiver's output the report keeps: the end,
// where a crash explains itself.
const logLimit = 64 << 10

// JSON builds the report.json model of a run (what `mvh conform --json`
// prints), with Run.Redact already scrubbed from every string.
func JSON(rep types.Report, run Run) Document {
	doc := Document{
		SchemaVersion: SchemaVersion,
		Strict:        run.Strict,
		Target:        Target{Description: run.Target, URL: run.ReceiverURL, Observation: run.Observation},
		Harness:       Harness{Version: run.HarnessVersion, Command: run.Command, Seed: run.Seed},
		Spec:          SpecInfo{Title: run.SpecTitle, Version: run.SpecVersion},
		StartedAt:     rep.StartTime.UTC(),
		DurationMS:    rep.RunTime.Milliseconds(),
		Checks:        []Check{},
		ReceiverLogs:  tail(string(run.ReceiverLogs), logLimit),
	}
	for _, sr := range rep.SpecReports {
		switch {
		case sr.LeafNodeType == types.NodeTypeIt && !selected(sr):
			doc.Summary.NotRun++
		case sr.LeafNodeType == types.NodeTypeIt:
			doc.Checks = append(doc.Checks, checkOf(sr, run.Strict))
		case sr.Failed():
			doc.SuiteFailures = append(doc.SuiteFailures, SuiteFailure{Node: sr.LeafNodeType.String(), Message: sr.Failure.Message})
		}
	}
	for _, reason := range rep.SpecialSuiteFailureReasons {
		doc.SuiteFailures = append(doc.SuiteFailures, SuiteFailure{Node: "suite", Message: reason})
	}
	doc.Summary = summarize(doc.Checks, doc.Summary.NotRun)
	doc.Verdict, doc.VerdictReasons = verdict(doc, catalogue.Verdict(rep, run.Strict))
	doc.Skips = skipNotes(doc)
	return scrubDocument(newRedactor(run.Redact, run.Keep), doc)
}

// tail keeps the last n bytes of s, marking the cut.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "[… earlier output cut …]\n" + s[len(s)-n:]
}

// marshalDocument is report.json's exact bytes: indented, HTML characters
// left as they are (bodies are JSON a reader compares by eye), newline-ended.
func marshalDocument(doc Document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
