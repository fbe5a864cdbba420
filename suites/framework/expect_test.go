package framework

import (
	"testing"

	"github.com/minivoice/mvh/suites/evidence"
)

func TestMatches(t *testing.T) {
	answered := func(status int) evidence.Exchange {
		return evidence.Exchange{Response: &evidence.Response{Status: status}}
	}
	for _, tc := range []struct {
		expect string
		x      evidence.Exchange
		want   bool
	}{
		{"2xx", answered(204), true},
		{"2xx", answered(409), false},
		{"4xx", answered(401), true},
		{"4xx", answered(500), false},
		{"405", answered(405), true},
		{"405", answered(404), false},
		{"2xx|4xx", answered(413), true},
		{"2xx|4xx", answered(503), false},
		{"2xx", evidence.Exchange{Error: "connection reset"}, false},
		{"", evidence.Exchange{LostAck: true}, true},
	} {
		if got := Matches(tc.expect, tc.x); got != tc.want {
			t.Errorf("Matches(%q, %s) = %v", tc.expect, Answer(tc.x), got)
		}
	}
}
