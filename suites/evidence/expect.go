package evidence

import (
	"strconv"
	"strings"
)

// StatusMeets reads an Exchange.Expect and says whether status satisfies
// it: a class ("2xx", "4xx"), an exact code ("405"), or alternatives
// joined by "|" (also by spaces, commas, slashes and "or", as a person
// writes them). The suites judge answers with it and the reporters mark
// unexpected answers with it, so the two can never disagree. known is
// false when expect names no status at all ("", "no crash"): such an
// expectation is met by no status and marks none as unexpected.
func StatusMeets(expect string, status int) (ok, known bool) {
	for _, tok := range strings.FieldsFunc(expect, func(r rune) bool { return r == ' ' || r == '|' || r == ',' || r == '/' }) {
		tok = strings.ToLower(tok)
		switch {
		case len(tok) == 3 && strings.HasSuffix(tok, "xx") && tok[0] >= '1' && tok[0] <= '5':
			known = true
			if int(tok[0]-'0') == status/100 {
				return true, true
			}
		case len(tok) == 3:
			if n, err := strconv.Atoi(tok); err == nil {
				known = true
				if n == status {
					return true, true
				}
			}
		}
	}
	return false, known
}
