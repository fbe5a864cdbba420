package reporters

import (
	"encoding/json"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/evidence"
)

// areaLabel prefixes the Ginkgo label naming a check's area.
const areaLabel = "area:"

// checkOf reads one check's outcome from its spec: the ID is the leaf text,
// level and area come from the catalogue labels (the catalogue itself when
// labels are missing), the evidence from its report entry. It is only
// asked about selected specs, so the status is passed, failed, skipped or
// interrupted.
func checkOf(sr types.SpecReport, strict bool) Check {
	c := Check{
		ID:         sr.LeafNodeText,
		Status:     string(catalogue.StatusOf(sr)),
		DurationMS: sr.RunTime.Milliseconds(),
		Evidence:   evidenceOf(sr),
	}
	c.Level, c.Area = labelled(sr)
	describe(&c)
	c.Blocking = c.Level != LevelShould || strict
	switch c.Status {
	case StatusFailed:
		c.Failure = failureMessage(sr)
		if loc := sr.Failure.Location; loc.FileName != "" {
			c.FailureLocation = loc.String()
		}
	case StatusSkipped:
		c.SkipReason = sr.Failure.Message
	case StatusInterrupted:
		c.SkipReason = InterruptedReason
		if catalogue.TimedOutRun(sr) {
			c.SkipReason = TimedOutReason
		}
	}
	c.Evidence = capExchanges(c.Evidence)
	return c
}

// failureMessage is Ginkgo's failure message, or the forwarded panic, which
// is the message when a check panicked.
func failureMessage(sr types.SpecReport) string {
	msg := sr.Failure.Message
	if sr.State == types.SpecStatePanicked && sr.Failure.ForwardedPanic != "" {
		msg = strings.TrimSpace(msg + "\n" + sr.Failure.ForwardedPanic)
	}
	if msg == "" {
		msg = sr.State.String()
	}
	return msg
}

// labelled returns the level and area labels; the area falls back to the
// ID's prefix ("signature" of "signature.missing").
func labelled(sr types.SpecReport) (level, area string) {
	for _, l := range sr.Labels() {
		switch {
		case l == LevelMust || l == LevelShould:
			level = l
		case strings.HasPrefix(l, areaLabel):
			area = strings.TrimPrefix(l, areaLabel)
		}
	}
	if area == "" {
		area, _, _ = strings.Cut(sr.LeafNodeText, ".")
	}
	return level, area
}

// evidenceOf decodes the check's evidence entry: AsJSON when the report was
// read back from JSON or came from a parallel process, the raw value
// in-process. Undecodable evidence is dropped rather than failing a report.
func evidenceOf(sr types.SpecReport) *evidence.Evidence {
	var out *evidence.Evidence
	for _, e := range sr.ReportEntries {
		if e.Name != evidence.EntryName {
			continue
		}
		data := []byte(e.Value.AsJSON)
		if len(data) == 0 {
			var err error
			if data, err = json.Marshal(e.GetRawValue()); err != nil {
				continue
			}
		}
		var ev evidence.Evidence
		if json.Unmarshal(data, &ev) != nil {
			continue
		}
		out = merge(out, ev)
	}
	return out
}

// merge joins evidence entries: a check may attach more than one.
func merge(into *evidence.Evidence, ev evidence.Evidence) *evidence.Evidence {
	if into == nil {
		return &ev
	}
	into.Exchanges = append(into.Exchanges, ev.Exchanges...)
	into.Records = append(into.Records, ev.Records...)
	into.Notes = append(into.Notes, ev.Notes...)
	into.Timeline = append(into.Timeline, ev.Timeline...)
	return into
}

// summarize counts checks overall and per level; both levels are always
// present so consumers need no existence checks.
func summarize(checks []Check, notRun int) Summary {
	s := Summary{ByLevel: map[string]Counts{LevelMust: {}, LevelShould: {}}, NotRun: notRun}
	for _, c := range checks {
		s.Total = s.Total.add(c.Status)
		lvl := c.Level
		if lvl == "" {
			lvl = LevelMust
		}
		s.ByLevel[lvl] = s.ByLevel[lvl].add(c.Status)
	}
	return s
}

func (c Counts) add(status string) Counts {
	c.Checks++
	switch status {
	case StatusPassed:
		c.Passed++
	case StatusFailed:
		c.Failed++
	case StatusInterrupted:
		c.Interrupted++
	default:
		c.Skipped++
	}
	return c
}

// TimedOutReason is what the check running when the run's --timeout
// elapsed says instead of a verdict.
const TimedOutReason = "the run's --timeout elapsed while it ran; not judged"

// InterruptedReason is what an interrupted check says instead of a verdict.
const InterruptedReason = "interrupted by a signal (Ctrl-C) while running; not judged"
