package reporters

import (
	"sync"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/catalogue"
)

// checks is the embedded catalogue, loaded once: reports take titles from
// it, and levels and areas when a spec lacks their labels.
var checks = sync.OnceValues(catalogue.Load)

// describe completes a check from the catalogue. A check unknown to it and
// without a level label counts as MUST: an unknown check must never pass
// the gate silently.
func describe(c *Check) {
	if cat, err := checks(); err == nil {
		if ch, ok := cat.Check(c.ID); ok {
			c.Title = ch.Title
			if c.Level == "" {
				c.Level = string(ch.Level)
			}
			if c.Area == "" {
				c.Area = ch.Area
			}
		}
	}
	if c.Level == "" {
		c.Level = LevelMust
	}
}

// selected reports whether a spec ran or was skipped for a reason, with the
// catalogue's reading of Ginkgo's states: a spec the label filter left out
// (--only, --skip, --level) or an interrupt prevented is "not run", and a
// report about it would only be noise.
func selected(sr types.SpecReport) bool {
	return catalogue.StatusOf(sr) != catalogue.NotRun
}
