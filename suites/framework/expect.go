package framework

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/evidence"
)

// Answer describes what came back: the status code, or "no answer".
func Answer(x evidence.Exchange) string {
	switch {
	case x.LostAck && x.Error == "":
		return "answer dropped unread"
	case x.Response == nil:
		return "no answer (" + x.Error + ")"
	}
	return strconv.Itoa(x.Response.Status)
}

// Matches reports whether an exchange got what its expect string wants:
// "2xx", "4xx", an exact code, or alternatives joined by "|". A transport
// error never matches; an empty expect matches anything answered.
func Matches(expect string, x evidence.Exchange) bool {
	if x.Response == nil {
		return x.LostAck && x.Error == "" && expect == ""
	}
	if expect == "" {
		return true
	}
	ok, _ := evidence.StatusMeets(expect, x.Response.Status)
	return ok
}

// ExpectAnswers fails the check when any exchange did not get what it
// expected, naming each one once: the first on the first line, which says
// the most, the others on the lines after it.
func (c *Case) ExpectAnswers(xs ...evidence.Exchange) {
	ginkgo.GinkgoHelper()
	var bad []string
	for _, x := range xs {
		if !Matches(x.Expect, x) {
			bad = append(bad, fmt.Sprintf("%s: got %s, want %s%s", x.Label, Answer(x), x.Expect, hint(x)))
		}
	}
	if len(bad) == 0 {
		return
	}
	msg := bad[0]
	if len(bad) > 1 {
		msg += fmt.Sprintf(" (and %d more of %d)\n%s", len(bad)-1, len(xs), strings.Join(bad[1:], "\n"))
	}
	ginkgo.Fail(msg)
}

// hint explains why a wrong answer matters to a sender.
func hint(x evidence.Exchange) string {
	if x.Response == nil {
		return ""
	}
	got := x.Response.Status / 100
	switch {
	case strings.Contains(x.Expect, "4xx") && got == 2:
		return " (accepted a delivery that must be rejected)"
	case strings.Contains(x.Expect, "4xx") && got == 5:
		return " (a 5xx makes the sender retry an invalid request)"
	case x.Expect == "2xx" && got != 2:
		return " (MiniVoice retries any non-2xx)"
	}
	return ""
}

// Record wants, as written into evidence.Record.Want.
const (
	WantNone        = "0"
	WantAtLeastOne  = "at least 1"
	WantExactlyOne  = "exactly 1"
	wantAtMostOne   = "at most 1"
	maxKeysInReason = 3
)

// meets reports whether a count satisfies a want.
func meets(count int, want string) bool {
	switch want {
	case WantNone:
		return count == 0
	case WantAtLeastOne:
		return count >= 1
	case WantExactlyOne:
		return count == 1
	case wantAtMostOne:
		return count <= 1
	case WantOnceAcrossCrash:
		return count == 1 || count == 2
	}
	return true
}

// offKeys lists the keys whose counts miss want, for a failure message.
func offKeys(counts map[string]int, want string, keys []string) string {
	var off []string
	for _, k := range keys {
		if !meets(counts[k], want) {
			off = append(off, fmt.Sprintf("%s has %d", k, counts[k]))
		}
	}
	if len(off) > maxKeysInReason {
		off = append(off[:maxKeysInReason], fmt.Sprintf("%d more", len(off)-maxKeysInReason))
	}
	return strings.Join(off, ", ")
}
