package reporters

import "testing"

// TestVerdictLineCountsSkips: a verdict with unjudged checks says how many
// and why, PASS or FAIL alike.
func TestVerdictLineCountsSkips(t *testing.T) {
	skipped := func(id, level, reason string) Check {
		return Check{ID: id, Level: level, Status: StatusSkipped, SkipReason: reason}
	}
	noObs := "no observation: needs observation: see the receiver's records through {sink_url}"
	for _, c := range []struct {
		name string
		doc  Document
		want string
	}{
		{"all passed", Document{Checks: []Check{{ID: "a", Level: LevelMust, Status: StatusPassed}}},
			": every blocking check passed"},
		{"six MUST skipped", Document{Checks: []Check{
			skipped("a", LevelMust, noObs), skipped("b", LevelMust, noObs), skipped("c", LevelMust, noObs),
			skipped("d", LevelMust, noObs), skipped("e", LevelMust, noObs), skipped("f", LevelMust, noObs),
			{ID: "g", Level: LevelMust, Status: StatusPassed}}},
			" (6 MUST checks skipped: no observation)"},
		{"per level and reason", Document{VerdictReasons: []string{"1 MUST check failed: x"}, Checks: []Check{
			skipped("s", LevelShould, noObs), skipped("m", LevelMust, "cannot restart: a --url receiver ..."),
			skipped("n", LevelMust, noObs)}},
			" (1 MUST check skipped: cannot restart; 1 MUST check skipped: no observation; 1 SHOULD check skipped: no observation): 1 MUST check failed: x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.doc.Skips = skipNotes(c.doc)
			if got := verdictTail(c.doc); got != c.want {
				t.Errorf("verdict line tail\n got %q\nwant %q", got, c.want)
			}
		})
	}
}
