package signature

import (
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzParseHeader: ParseHeader never panics, fails only with
// ErrMalformedHeader, and always accepts what Sign produces.
func FuzzParseHeader(f *testing.F) {
	valid := Sign(testTS, testBody, testSecret)
	for _, seed := range []string{"", ",", "=", "v1=", valid, "v0=garbage," + valid, valid + "," + valid, "v1=" + valid, " v1 = x ", "v1==,,"} {
		f.Add(seed, testSecret, uint32(testTS), []byte(`{}`))
	}
	f.Fuzz(func(t *testing.T, header, secret string, ts uint32, body []byte) {
		sums, err := ParseHeader(header)
		if err != nil && !errors.Is(err, ErrMalformedHeader) {
			t.Fatalf("ParseHeader(%q) = %v, not ErrMalformedHeader", header, err)
		}
		for _, s := range sums {
			if len(s) != 32 {
				t.Fatalf("ParseHeader(%q) gave a %d-byte digest", header, len(s))
			}
		}
		signed := Sign(int64(ts), body, secret)
		sums, err = ParseHeader(signed)
		if err != nil || len(sums) != 1 || hex.EncodeToString(sums[0]) != Compute(secret, int64(ts), body) {
			t.Fatalf("ParseHeader(Sign(...)) = %x, %v", sums, err)
		}
		if secret == "" {
			return
		}
		v := &Verifier{Secrets: []string{secret}, Now: func() time.Time { return time.Unix(int64(ts), 0) }}
		if err := v.Verify(strconv.FormatUint(uint64(ts), 10), signed, body); err != nil {
			t.Fatalf("Verify(Sign(...)) = %v", err)
		}
	})
}
