package reporters

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/minivoice/mvh/suites/catalogue"
)

// verdict applies the gate's semantics through catalogue.Verdict, the one
// `mvh conform` exits by, so the report never disagrees with the exit code:
// a failed MUST check fails the run, a failed SHOULD check only with strict
// (Check.Blocking says which), and so does any failure outside the checks,
// since then the checks cannot be trusted to have run. The reasons name the
// checks.
func verdict(doc Document, s catalogue.Summary) (string, []string) {
	var reasons []string
	var must, should []string
	for _, c := range doc.Checks {
		if c.Status != StatusFailed || !c.Blocking {
			continue
		}
		if c.Level == LevelShould {
			should = append(should, c.ID)
		} else {
			must = append(must, c.ID)
		}
	}
	if len(must) > 0 {
		reasons = append(reasons, failedChecks(len(must), LevelMust, must))
	}
	if len(should) > 0 {
		reasons = append(reasons, failedChecks(len(should), LevelShould, should)+" (strict)")
	}
	for _, e := range s.SuiteErrors {
		switch e {
		case ginkgoInterrupted:
			e = interruptedReason(doc, "interrupted by a signal")
		case GinkgoTimedOut:
			e = interruptedReason(doc, "stopped by --timeout")
		}
		reasons = append(reasons, shortReason(e, reasonWidth))
	}
	if s.Pass {
		return VerdictPass, reasons
	}
	if len(reasons) == 0 {
		reasons = []string{"the run failed"}
	}
	return VerdictFail, reasons
}

// ginkgoInterrupted is the suite failure Ginkgo records for a signal.
const ginkgoInterrupted = "Interrupted by User"

// GinkgoTimedOut is the suite failure Ginkgo records when the run's
// --timeout (its suite timeout) elapsed.
const GinkgoTimedOut = "Suite Timeout Elapsed"

// interruptedReason names the check a signal or the timeout stopped, and
// what was left.
func interruptedReason(doc Document, msg string) string {
	for _, c := range doc.Checks {
		if c.Status == StatusInterrupted {
			msg += " during " + c.ID
		}
	}
	if doc.Summary.NotRun > 0 {
		msg += fmt.Sprintf("; %d checks not run", doc.Summary.NotRun)
	}
	return msg
}

func failedChecks(n int, level string, ids []string) string {
	noun := "checks"
	if n == 1 {
		noun = "check"
	}
	return fmt.Sprintf("%d %s %s failed: %s", n, level, noun, strings.Join(ids, ", "))
}

// shortReason squeezes a failure message onto one line of at most n runes:
// Gomega's messages spread "Expected / <int>: 200 / to be >= 400" over lines.
func shortReason(msg string, n int) string {
	s := strings.Join(strings.Fields(msg), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// gomegaPrefix is what Gomega's Eventually and Consistently put before the
// message that matters.
var gomegaPrefix = regexp.MustCompile(`^(Timed out|Failed) after [0-9.]+m?s\.\s*`)

// oneLine is a check's failure or skip reason on one line of at most n
// runes: without the check ID the message may start with (the line names
// the check already) or Gomega's timing prefix, and only the first line of
// a message whose first line says something ("Expected" alone does not).
func oneLine(c Check, n int) string {
	msg := c.Failure
	if c.Status == StatusSkipped || c.Status == StatusInterrupted {
		msg = c.SkipReason
	}
	msg = gomegaPrefix.ReplaceAllString(strings.TrimSpace(msg), "")
	msg = strings.TrimPrefix(msg, c.ID+": ")
	if first, _, more := strings.Cut(msg, "\n"); more && len(strings.TrimSpace(first)) > len("Expected") {
		msg = first
	}
	return shortReason(msg, n)
}
