package delivery

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// TestHeadersVerifyAsTheirKindSays signs one body every way and verifies
// each with the receiver's secret the way a correct receiver does: the
// kinds that Verifies accepts pass, the others fail with the reason the
// kind is named for.
func TestHeadersVerifyAsTheirKindSays(t *testing.T) {
	const secret = "whsec_minivoice_test"
	now := time.Unix(1780056000, 0)
	body := []byte(`{"event":"call.created"}`)
	v := signature.Verifier{Secrets: []string{secret}, Now: func() time.Time { return now }}
	for _, tc := range []struct {
		kind Signing
		skew time.Duration
		want error // nil: verifies
	}{
		{SignValid, 0, nil},
		{SignNone, 0, signature.ErrMissingHeader},
		{SignWrongSecret, 0, signature.ErrNoMatch},
		{SignStale, 0, signature.ErrStaleTimestamp},
		{SignFuture, 0, signature.ErrFutureTimestamp},
		{SignStale, 299 * time.Second, nil},
		{SignFuture, 301 * time.Second, signature.ErrFutureTimestamp},
		{SignRotation, 0, nil},
		{SignUnknownScheme, 0, nil},
		{SignSkewPast, 0, nil},
		{SignSkewFuture, 0, nil},
		{SignSkewPast, 301 * time.Second, signature.ErrStaleTimestamp},
		{SignEmpty, 0, signature.ErrMalformedHeader},
		{SignTruncated, 0, signature.ErrMalformedHeader},
	} {
		t.Run(string(tc.kind)+"/"+tc.skew.String(), func(t *testing.T) {
			h, err := Headers(tc.kind, now, body, tc.skew, secret)
			if err != nil {
				t.Fatal(err)
			}
			err = v.Verify(h[signature.TimestampHeader], h[signature.SignatureHeader], body)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("verify: %v, want %v", err, tc.want)
			}
			if tc.skew == 0 && tc.kind != SignNone && tc.kind.Verifies() != (err == nil) {
				t.Errorf("Verifies() = %v but verification gave %v", tc.kind.Verifies(), err)
			}
		})
	}
}

// TestHeadersTamperedCoversOtherBytes: a tampered delivery's signature is
// valid for the bytes signed and not for the bytes sent.
func TestHeadersTamperedCoversOtherBytes(t *testing.T) {
	const secret = "whsec_minivoice_test"
	now := time.Unix(1780056000, 0)
	signed, sent := []byte(`{"variables":{}}`), []byte(`{"variables":{"x":1}}`)
	h, err := Headers(SignTampered, now, signed, 0, secret)
	if err != nil {
		t.Fatal(err)
	}
	v := signature.Verifier{Secrets: []string{secret}, Now: func() time.Time { return now }}
	if err := v.Verify(h[signature.TimestampHeader], h[signature.SignatureHeader], signed); err != nil {
		t.Errorf("signed bytes: %v", err)
	}
	if err := v.Verify(h[signature.TimestampHeader], h[signature.SignatureHeader], sent); !errors.Is(err, signature.ErrNoMatch) {
		t.Errorf("sent bytes: %v, want ErrNoMatch", err)
	}
}

// TestWrongSecretDiffers: the wrong secret is never the receiver's.
func TestWrongSecretDiffers(t *testing.T) {
	for _, secret := range []string{"whsec_minivoice_test", WrongSecret, ""} {
		if got := WrongSecretFor(secret); got == secret {
			t.Errorf("WrongSecretFor(%q) = the secret itself", secret)
		}
	}
}

// TestSigningReadsOldSpelling: reports and fixtures written before the
// vocabulary was one spelled rotation differently; they still load.
func TestSigningReadsOldSpelling(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Signing
	}{
		{legacyRotation, SignRotation},
		{"rotation", SignRotation},
		{"stale", SignStale},
		{"bogus", "bogus"},
	} {
		var got struct{ Signing Signing }
		if err := json.Unmarshal([]byte(`{"Signing":"`+tc.in+`"}`), &got); err != nil {
			t.Fatal(err)
		}
		if got.Signing != tc.want || got.Signing.Known() != (tc.want != "bogus") {
			t.Errorf("%q read as %q (known %v), want %q", tc.in, got.Signing, got.Signing.Known(), tc.want)
		}
	}
}

func TestHeadersRefusesUnknownKind(t *testing.T) {
	if _, err := Headers("bogus", time.Now(), nil, 0, "s"); err == nil {
		t.Error("unknown kind signed")
	}
}
