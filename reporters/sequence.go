package reporters

import (
	"fmt"
	"strings"

	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/suites/evidence"
)

// sequenceOf turns a failed check judged on business records into one
// fixture: every request it sent (ev is the uncapped evidence), in order,
// as Request then Then, each with its own class where it differs from the
// first, and the records a correct receiver holds afterwards with what the
// failing run saw. Replaying it resends the sequence; the records are for
// the user to compare, since a replay cannot see them.
func sequenceOf(c Check, ev *evidence.Evidence, red redactor) (fixtures.Fixture, bool) {
	var reqs []fixtures.Request
	var classes []string
	left := 0
	for _, x := range ev.Exchanges {
		f, ok := fixtureOf(c, x, len(reqs)+1, red)
		if !ok {
			left++
			continue
		}
		reqs, classes = append(reqs, f.Request), append(classes, f.Expect.StatusClass)
	}
	if len(reqs) == 0 {
		return fixtures.Fixture{}, false
	}
	for i := 1; i < len(reqs); i++ {
		if classes[i] != classes[0] {
			reqs[i].StatusClass = classes[i]
		}
	}
	var records []fixtures.Record
	for _, r := range ev.Records {
		want := r.Want
		if want == "" {
			want = "as the check expects"
		}
		records = append(records, fixtures.Record{Key: red.String(r.Key), Want: want, Seen: r.Count})
	}
	return fixtures.Fixture{
		Name:        c.ID,
		Description: red.String(sequenceDescription(c, len(reqs), left, classes[0])),
		Request:     reqs[0],
		Then:        reqs[1:],
		Expect:      fixtures.Expect{StatusClass: classes[0], Records: records},
	}, true
}

// sequenceDescription says what failed and what a replay can and cannot
// show.
func sequenceDescription(c Check, n, left int, class string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) failed: %s. ", c.ID, c.Level, strings.TrimSuffix(oneLine(c, reasonWidth), "."))
	fmt.Fprintf(&b, "Sends the %d requests the check sent, in order; a correct receiver answers each %s", n, class)
	b.WriteString(" (unless the request says otherwise) and then holds the records in expect.records, which mvh fixtures replay cannot see: compare them in your receiver's store.")
	if left > 0 {
		fmt.Fprintf(&b, " %d requests the evidence could not hold exactly (a truncated body) are left out.", left)
	}
	return b.String()
}
