package reporters

import (
	"fmt"
	"slices"
	"strings"
)

// skipNotes counts the skipped checks per level and reason, in run order
// ("6 MUST checks skipped: no observation"), for the verdict line: a PASS
// with MUST checks unjudged must say so.
func skipNotes(doc Document) []string {
	type group struct{ level, why string }
	var order []group
	n := map[group]int{}
	for _, c := range doc.Checks {
		if c.Status != StatusSkipped {
			continue
		}
		g := group{c.Level, skipCause(c.SkipReason)}
		if n[g] == 0 {
			order = append(order, g)
		}
		n[g]++
	}
	slices.SortStableFunc(order, func(a, b group) int { return strings.Compare(a.level, b.level) })
	notes := make([]string, 0, len(order))
	for _, g := range order {
		noun := "checks"
		if n[g] == 1 {
			noun = "check"
		}
		notes = append(notes, fmt.Sprintf("%d %s %s skipped: %s", n[g], g.level, noun, g.why))
	}
	return notes
}

// skipCause is the gist of a skip reason: what comes before its first
// colon ("no observation: needs ..."), or its start when that is long.
func skipCause(reason string) string {
	why, _, _ := strings.Cut(strings.TrimSpace(reason), ": ")
	if why == "" {
		return "no reason given"
	}
	return shortReason(why, 48)
}
