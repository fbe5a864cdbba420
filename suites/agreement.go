package suites

import (
	"fmt"
	"sort"
	"strings"

	"github.com/minivoice/mvh/suites/catalogue"
)

// agreement checks that every catalogue check has exactly one spec and
// every spec is a catalogue check; a mismatch is a programming error that
// must never reach a verdict.
func agreement(cat catalogue.Catalogue, registered map[string]int) error {
	var problems []string
	for _, id := range cat.IDs() {
		if n := registered[id]; n != 1 {
			problems = append(problems, fmt.Sprintf("%s has %d specs", id, n))
		}
	}
	var extra []string
	for id := range registered {
		if _, ok := cat.Check(id); !ok {
			extra = append(extra, id+" is not in the catalogue")
		}
	}
	sort.Strings(extra)
	problems = append(problems, extra...)
	if len(problems) > 0 {
		return fmt.Errorf("suites: catalogue and specs disagree: %s", strings.Join(problems, "; "))
	}
	return nil
}
