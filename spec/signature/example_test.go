package signature_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// ExampleSign: Sign computes the header value MiniVoice sends; with two
// secrets (during a rotation) it carries one v1 entry per secret.
func ExampleSign() {
	body := []byte(`{"event":"call.created"}`)
	fmt.Println(signature.Sign(1780056000, body, "whsec_minivoice_test"))
	// Output:
	// v1=21054e4af817ed83318fe7f57aa5cc4a44ed3bb803080a767accb290641115d8
}

// ExampleVerifier_Verify: a receiver verifies the raw body bytes with its
// secrets; the clock is injectable, so a captured delivery can be checked in
// a unit test.
func ExampleVerifier_Verify() {
	body := []byte(`{"event":"call.created"}`)
	header := signature.Sign(1780056000, body, "whsec_minivoice_test")
	v := &signature.Verifier{
		Secrets: []string{"whsec_minivoice_test"},
		Now:     func() time.Time { return time.Unix(1780056010, 0) },
	}
	fmt.Println(v.Verify("1780056000", header, body))

	v.Now = func() time.Time { return time.Unix(1780056000+600, 0) }
	err := v.Verify("1780056000", header, body)
	fmt.Println(errors.Is(err, signature.ErrStaleTimestamp), err)
	// Output:
	// <nil>
	// true timestamp too old: 10m0s old, tolerance 5m0s
}
