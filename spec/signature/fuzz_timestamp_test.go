package signature

import (
	"errors"
	"strconv"
	"testing"
)

// FuzzParseTimestamp: ParseTimestamp never panics, fails only with
// ErrMalformedHeader, and reads back every Unix time it formats.
func FuzzParseTimestamp(f *testing.F) {
	for _, seed := range []string{"", "0", "1780056000", "-1", "+1", " 1", "1e9", "99999999999999999999", "0x10", "1780056000.5"} {
		f.Add(seed, int64(1780056000))
	}
	f.Fuzz(func(t *testing.T, s string, ts int64) {
		if _, err := ParseTimestamp(s); err != nil && !errors.Is(err, ErrMalformedHeader) {
			t.Fatalf("ParseTimestamp(%q) = %v, not ErrMalformedHeader", s, err)
		}
		if ts < 0 {
			return
		}
		if got, err := ParseTimestamp(strconv.FormatInt(ts, 10)); err != nil || got != ts {
			t.Fatalf("ParseTimestamp(%d) = %d, %v", ts, got, err)
		}
	})
}
