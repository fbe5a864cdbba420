package evidence

import "testing"

func TestStatusMeets(t *testing.T) {
	for _, tc := range []struct {
		expect    string
		status    int
		ok, known bool
	}{
		{"2xx", 204, true, true}, {"4xx", 200, false, true}, {"405", 405, true, true}, {"405", 404, false, true},
		{"2xx|4xx", 413, true, true}, {"2xx|4xx", 503, false, true}, {"2xx or 4xx", 500, false, true},
		{"", 500, false, false}, {"no crash", 200, false, false},
	} {
		ok, known := StatusMeets(tc.expect, tc.status)
		if ok != tc.ok || known != tc.known {
			t.Errorf("StatusMeets(%q, %d) = %v, %v; want %v, %v", tc.expect, tc.status, ok, known, tc.ok, tc.known)
		}
	}
}
