package reporters

import (
	"fmt"
	"slices"
	"strings"
)

// reasonWidth is how long a one-line reason may get in report.md and on the
// terminal before it is cut.
const reasonWidth = 120

// Markdown renders report.md: short enough for $GITHUB_STEP_SUMMARY or a
// merge-request comment (verdict, counts, failing checks with one-line
// reasons), linking each failure to its section of report.html.
func Markdown(doc Document) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s mvh conform: %s\n\n", verdictIcon(doc.Verdict), strings.ToUpper(doc.Verdict))
	for _, r := range append(slices.Clone(doc.VerdictReasons), doc.Skips...) {
		fmt.Fprintf(&b, "- %s\n", mdEscape(r))
	}
	if len(doc.VerdictReasons)+len(doc.Skips) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s\n\n", mdEscape(headline(doc)))
	b.WriteString("| level | checks | passed | failed | skipped |\n|---|---:|---:|---:|---:|\n")
	for _, lvl := range []string{LevelMust, LevelShould} {
		writeCountsRow(&b, lvl, doc.Summary.ByLevel[lvl])
	}
	writeCountsRow(&b, "**total**", doc.Summary.Total)
	if n := doc.Summary.Total.Interrupted; n > 0 {
		fmt.Fprintf(&b, "\nInterrupted: %d (running when the run was stopped; not judged).\n", n)
	}
	if n := doc.Summary.NotRun; n > 0 {
		fmt.Fprintf(&b, "\nNot run: %d (left out by --only, --skip, --level or an interrupt).\n", n)
	}
	if failed := failedChecksOf(doc); len(failed) > 0 {
		b.WriteString("\n### Failing checks\n\n")
		for _, c := range failed {
			fmt.Fprintf(&b, "- ❌ [`%s`](%s#%s) %s%s: %s\n", c.ID, HTMLFile, anchor(c.ID), c.Level,
				advisory(c), mdEscape(oneLine(c, reasonWidth)))
		}
	}
	for _, f := range doc.SuiteFailures {
		fmt.Fprintf(&b, "\n**%s failed:** %s\n", mdEscape(f.Node), mdEscape(shortReason(f.Message, reasonWidth)))
	}
	fmt.Fprintf(&b, "\nFull report with request transcripts and reproductions: [%s](%s)\n", HTMLFile, HTMLFile)
	return []byte(b.String())
}

func writeCountsRow(b *strings.Builder, label string, c Counts) {
	fmt.Fprintf(b, "| %s | %d | %d | %d | %d |\n", label, c.Checks, c.Passed, c.Failed, c.Skipped)
}

// headline is one line naming what was tested with what.
func headline(doc Document) string {
	parts := []string{"Receiver: " + orDash(doc.Target.Description)}
	if doc.Target.URL != "" {
		parts[0] += " (" + doc.Target.URL + ")"
	}
	if doc.Spec.Title != "" {
		parts = append(parts, "contract: "+strings.TrimSpace(doc.Spec.Title+" "+doc.Spec.Version))
	}
	if doc.Target.Observation != "" {
		parts = append(parts, "records seen through: "+doc.Target.Observation)
	}
	parts = append(parts, "mvh "+orDash(doc.Harness.Version))
	if doc.Harness.Seed != 0 {
		parts = append(parts, fmt.Sprintf("seed: %d", doc.Harness.Seed))
	}
	mode := "strict: no (SHOULD failures are advisory)"
	if doc.Strict {
		mode = "strict: yes"
	}
	return strings.Join(append(parts, mode), " · ")
}

// failedChecksOf lists failed checks, blocking ones first.
func failedChecksOf(doc Document) []Check {
	var blocking, advisoryOnly []Check
	for _, c := range doc.Checks {
		switch {
		case c.Status != StatusFailed:
		case c.Blocking:
			blocking = append(blocking, c)
		default:
			advisoryOnly = append(advisoryOnly, c)
		}
	}
	return append(blocking, advisoryOnly...)
}

func advisory(c Check) string {
	if c.Blocking {
		return ""
	}
	return " (advisory)"
}

func verdictIcon(v string) string {
	if v == VerdictPass {
		return "✅"
	}
	return "❌"
}

// anchor is the id of a check's section in report.html.
func anchor(id string) string { return "check-" + id }

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// mdEscape keeps receiver-controlled text from turning into Markdown or
// HTML in a job summary.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
		"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`)
	return r.Replace(s)
}
