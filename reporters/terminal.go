package reporters

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mattn/go-isatty"
	"github.com/onsi/ginkgo/v2/types"
)

// TerminalOptions shape terminal output.
type TerminalOptions struct {
	Color  bool     // ANSI colours; see ColorFor
	Quiet  bool     // only failing checks and the verdict line
	Strict bool     // marks SHOULD failures as blocking in the progress lines
	Redact []string // never printed
	Keep   []string // printed whole, secrets inside or not (see Run.Keep)
}

// Terminal prints a run as it happens: one line per check as it finishes,
// then a summary. It is safe for concurrent use, since Ginkgo may report
// from more than one goroutine.
type Terminal struct {
	mu  sync.Mutex
	w   io.Writer
	o   TerminalOptions
	red redactor
}

// NewTerminal returns a Terminal writing to w.
func NewTerminal(w io.Writer, o TerminalOptions) *Terminal {
	return &Terminal{w: w, o: o, red: newRedactor(o.Redact, o.Keep)}
}

// ColorFor reports whether output to w should be coloured: only when w is a
// terminal and NO_COLOR (https://no-color.org) is unset or empty, so logs and
// CI artifacts never carry escape codes.
func ColorFor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

const (
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

func (t *Terminal) paint(code, s string) string {
	if !t.o.Color {
		return s
	}
	return code + s + ansiReset
}

// Check prints one finished spec: ✓, ✗ or –, the check ID, milliseconds and
// a short reason. Suite nodes print only when they fail; specs the filter
// left out print nothing.
func (t *Terminal) Check(sr types.SpecReport) {
	if !selected(sr) || sr.LeafNodeType != types.NodeTypeIt && !sr.Failed() {
		return
	}
	var c Check
	if sr.LeafNodeType == types.NodeTypeIt {
		c = checkOf(sr, t.o.Strict)
	} else {
		c = Check{ID: "[" + sr.LeafNodeType.String() + "]", Status: StatusFailed, Blocking: true,
			DurationMS: sr.RunTime.Milliseconds(), Failure: sr.Failure.Message}
	}
	t.line(c)
}

func (t *Terminal) line(c Check) {
	if t.o.Quiet && c.Status != StatusFailed {
		return
	}
	mark, colour, reason := "✓", ansiGreen, oneLine(c, reasonWidth)
	switch c.Status {
	case StatusFailed:
		mark, colour = "✗", ansiRed
		if !c.Blocking {
			colour, reason = ansiYellow, "(advisory) "+reason
		}
	case StatusSkipped:
		mark, colour = "–", ansiYellow
	case StatusInterrupted:
		mark, colour = "!", ansiYellow
	}
	text := fmt.Sprintf("%s %-34s %6d ms", t.paint(colour, mark), c.ID, c.DurationMS)
	if reason != "" {
		text += "  " + reason
	}
	t.print(strings.TrimRight(text, " ") + "\n")
}

// Summary prints the counts per level, the verdict with its reasons, and
// where the reports are; in quiet mode only the verdict line.
func (t *Terminal) Summary(rep types.Report, run Run, paths []string) {
	doc := JSON(rep, run)
	var b strings.Builder
	if !t.o.Quiet {
		fmt.Fprintf(&b, "\n%-8s %7s %7s %7s %7s\n", "", "checks", "passed", "failed", "skipped")
		for _, lvl := range []string{LevelMust, LevelShould} {
			writeCountsLine(&b, lvl, doc.Summary.ByLevel[lvl])
		}
		writeCountsLine(&b, "total", doc.Summary.Total)
		if n := doc.Summary.Total.Interrupted; n > 0 {
			fmt.Fprintf(&b, "interrupted: %d (running when the run was stopped; not judged)\n", n)
		}
		if n := doc.Summary.NotRun; n > 0 {
			fmt.Fprintf(&b, "not run: %d (left out by --only, --skip, --level or an interrupt)\n", n)
		}
		b.WriteString("\n")
	}
	colour := ansiGreen
	if doc.Verdict != VerdictPass {
		colour = ansiRed
	}
	if run.Seed != 0 {
		fmt.Fprintf(&b, "seed: %d (--seed %d repeats the generated payloads)\n", run.Seed, run.Seed)
	}
	fmt.Fprintf(&b, "%s%s\n", t.paint(ansiBold+colour, strings.ToUpper(doc.Verdict)), verdictTail(doc))
	if !t.o.Quiet && len(paths) > 0 {
		fmt.Fprintf(&b, "reports: %s\n", strings.Join(paths, " "))
	}
	t.print(strings.ReplaceAll(b.String(), " \n", "\n"))
}

// verdictTail follows PASS or FAIL on the verdict line: the skipped checks
// in parentheses, then the reasons ("PASS (6 MUST checks skipped: no
// observation)").
func verdictTail(doc Document) string {
	var tail string
	if len(doc.Skips) > 0 {
		tail = " (" + strings.Join(doc.Skips, "; ") + ")"
	}
	switch {
	case len(doc.VerdictReasons) > 0:
		return tail + ": " + strings.Join(doc.VerdictReasons, "; ")
	case tail == "":
		return ": every blocking check passed"
	}
	return tail
}

func writeCountsLine(b *strings.Builder, label string, c Counts) {
	fmt.Fprintf(b, "%-8s %7d %7d %7d %7d\n", label, c.Checks, c.Passed, c.Failed, c.Skipped)
}

func (t *Terminal) print(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.w, t.red.String(s)) // a broken terminal is no reason to stop a run
}
