package reporters

import (
	"fmt"
	"strconv"

	"github.com/minivoice/mvh/suites/evidence"
)

// maxExchanges bounds the exchanges a report keeps per check: load.burst
// sends hundreds, and a reader needs the ones that went wrong.
const maxExchanges = 50

// unexpected reports whether an exchange missed what its check wanted: an
// answer outside the expected status class, or no answer at all (a dropped
// connection on purpose, LostAck, is not a miss). Unknown wording never
// marks an exchange as failed.
func unexpected(x evidence.Exchange) bool {
	if x.Response == nil {
		return x.Error != "" && !x.LostAck
	}
	ok, known := evidence.StatusMeets(x.Expect, x.Response.Status)
	return known && !ok
}

// happened says in a few words what an exchange got.
func happened(x evidence.Exchange) string {
	switch {
	case x.Response != nil:
		return strconv.Itoa(x.Response.Status)
	case x.LostAck:
		return "connection dropped by the harness (lost ack)"
	case x.Error != "":
		return "no answer: " + x.Error
	}
	return "no answer"
}

// failing returns the exchanges that missed their expectation.
func failing(ev *evidence.Evidence) []evidence.Exchange {
	if ev == nil {
		return nil
	}
	var out []evidence.Exchange
	for _, x := range ev.Exchanges {
		if unexpected(x) {
			out = append(out, x)
		}
	}
	return out
}

// capExchanges keeps at most maxExchanges exchanges, the unexpected ones
// first, in their original order, and notes how many it left out.
func capExchanges(ev *evidence.Evidence) *evidence.Evidence {
	if ev == nil || len(ev.Exchanges) <= maxExchanges {
		return ev
	}
	keep := make([]bool, len(ev.Exchanges))
	n := 0
	for pass := 0; pass < 2; pass++ {
		for i, x := range ev.Exchanges {
			if n < maxExchanges && !keep[i] && (pass == 1 || unexpected(x)) {
				keep[i] = true
				n++
			}
		}
	}
	out := *ev
	out.Exchanges = nil
	for i, x := range ev.Exchanges {
		if keep[i] {
			out.Exchanges = append(out.Exchanges, x)
		}
	}
	out.Notes = append(append([]string(nil), ev.Notes...),
		fmt.Sprintf("report keeps %d of %d exchanges (unexpected answers first)", maxExchanges, len(ev.Exchanges)))
	return &out
}
