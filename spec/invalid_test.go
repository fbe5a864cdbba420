package spec

import "testing"

// TestInvalidBreaksOnePlace: every payload Invalid makes is refused by the
// schema, with violations at one pointer only, and each required property
// of the envelope and the call is removed once.
func TestInvalidBreaksOnePlace(t *testing.T) {
	s := mustDefault(t)
	for _, event := range s.EventNames() {
		bs, err := s.Invalid(event, "call_inv")
		if err != nil {
			t.Fatal(err)
		}
		missing := 0
		for _, b := range bs {
			v := s.Validate(b.Body)
			if len(v) == 0 {
				t.Errorf("%s %s: validates, want a violation\n%s", event, b.Label, b.Body)
			}
			for _, x := range v[1:] {
				if x.Pointer != v[0].Pointer {
					t.Errorf("%s %s: violations at %s and %s, want one place", event, b.Label, v[0].Pointer, x.Pointer)
				}
			}
			if len(b.Label) > 8 && b.Label[len(b.Label)-8:] == " missing" {
				missing++
			}
		}
		if missing != 13 {
			t.Errorf("%s: %d required properties removed, want 13 (5 envelope, 7 call, 1 data)", event, missing)
		}
	}
}
