package delivery

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// Signing names how a delivery's signature headers are made. It is the one
// vocabulary of the harness: the checks sign by it, the evidence and the
// fixtures record it, reproductions and replays remake the headers from it,
// and the listen inbox names what it diagnosed with it. Every kind is
// reproducible for any secret and clock.
type Signing string

// The kinds of signing.
const (
	SignValid         Signing = "valid"           // v1 entry with the secret, timestamp now
	SignNone          Signing = "none"            // no timestamp and no signature header
	SignWrongSecret   Signing = "wrong-secret"    // v1 entry with WrongSecretFor(secret)
	SignStale         Signing = "stale"           // valid entry, timestamp skew before now
	SignFuture        Signing = "future"          // valid entry, timestamp skew after now
	SignRotation      Signing = "rotation"        // v1 with the wrong secret, then v1 with the secret
	SignUnknownScheme Signing = "unknown-scheme"  // v0 entry first, then a valid v1 entry
	SignTampered      Signing = "tampered"        // valid entry over other bytes than those sent
	SignSkewPast      Signing = "skew-past"       // valid entry, timestamp skew before now, inside the tolerance
	SignSkewFuture    Signing = "skew-future"     // valid entry, timestamp skew after now, inside the tolerance
	SignEmpty         Signing = "empty-signature" // a v1 entry with no digest: "v1="
	SignTruncated     Signing = "truncated"       // the valid v1 entry cut to half its digest
)

// legacyRotation is how fixtures and reports spelled SignRotation before the
// vocabulary was one; UnmarshalText still reads it.
const legacyRotation = "rotated"

// DefaultSkew is how far stale and future deliveries are signed from the
// receiver's clock when no other skew is asked for: twice the contract's
// 300 s tolerance, so a receiver that checks the timestamp at all rejects
// them.
const DefaultSkew = 10 * time.Minute

// DefaultInsideSkew is how far skew-past and skew-future deliveries are
// signed from the receiver's clock when no other skew is asked for: the
// contract's 300 s tolerance minus 100 s, so a receiver with the contract's
// window accepts them and one with a narrower window does not.
const DefaultInsideSkew = 200 * time.Second

// WrongSecret signs the wrong-secret deliveries, the first entry of the
// rotation ones and the foreign entry of unknown-scheme. It is no one's
// secret, so reproductions may print it.
const WrongSecret = "whsec_minivoice_wrong"

// Signings lists every kind, in the order the documentation gives them. It
// returns a fresh slice each time, so no caller can change another's.
func Signings() []Signing {
	return []Signing{SignValid, SignNone, SignWrongSecret, SignStale,
		SignFuture, SignRotation, SignUnknownScheme, SignTampered,
		SignSkewPast, SignSkewFuture, SignEmpty, SignTruncated}
}

// Known reports whether s is one of Signings.
func (s Signing) Known() bool { return slices.Contains(Signings(), s) }

// Verifies reports whether a receiver holding the secret accepts a delivery
// signed as s at the default skews: valid, rotation, unknown-scheme and the
// skews inside the tolerance verify, the others must be rejected with 4xx.
func (s Signing) Verifies() bool {
	switch s {
	case SignValid, SignRotation, SignUnknownScheme, SignSkewPast, SignSkewFuture:
		return true
	}
	return false
}

// UnmarshalText reads s, including the spelling reports and fixtures used
// before the vocabulary was one ("rotated" for SignRotation). Unknown
// values are kept, for Known to refuse with the value in the message.
func (s *Signing) UnmarshalText(b []byte) error {
	*s = Signing(b)
	if *s == legacyRotation {
		*s = SignRotation
	}
	return nil
}

// WrongSecretFor is a secret guaranteed to differ from secret: WrongSecret,
// unless that is the receiver's own.
func WrongSecretFor(secret string) string {
	if secret == WrongSecret {
		return WrongSecret + "_2"
	}
	return WrongSecret
}

// Headers returns the timestamp and signature headers of a delivery signed
// as kind over the bytes signed, for a receiver whose clock reads now and
// who holds secrets (the engine signs with every current secret of an
// application, checks and fixtures with one). skew is how far the
// timestamp of a stale or future delivery is from now, DefaultSkew when
// zero; other kinds ignore it. It returns nil for SignNone and for a valid
// delivery without secrets (an unsigned application).
func Headers(kind Signing, now time.Time, signed []byte, skew time.Duration, secrets ...string) (map[string]string, error) {
	return SchemeHeaders(signature.Scheme{}, kind, now, signed, skew, secrets...)
}

// SchemeHeaders is Headers for the signing scheme sc (the zero Scheme is the
// published one): the header names, prefix, separator and signed content
// follow sc, so a contract with other values is signed its way.
func SchemeHeaders(sc signature.Scheme, kind Signing, now time.Time, signed []byte, skew time.Duration, secrets ...string) (map[string]string, error) {
	sc = sc.WithDefaults()
	ts, sig, ok, err := schemeSignature(sc, kind, now, signed, skew, secrets)
	if err != nil || !ok {
		return nil, err
	}
	return map[string]string{
		sc.TimestampHeader: strconv.FormatInt(ts, 10),
		sc.SignatureHeader: sig,
	}, nil
}

// schemeSignature is the timestamp and signature header value of a
// delivery signed as kind under sc (defaults applied); ok is false when it
// carries none. SchemeHeaders puts them in a map, Request.Build straight
// into the request.
func schemeSignature(sc signature.Scheme, kind Signing, now time.Time, signed []byte, skew time.Duration, secrets []string) (ts int64, sig string, ok bool, err error) {
	if skew == 0 {
		skew = DefaultSkew
		if kind == SignSkewPast || kind == SignSkewFuture {
			skew = DefaultInsideSkew
		}
	}
	ts = now.Unix()
	first := ""
	if len(secrets) > 0 {
		first = secrets[0]
	}
	switch kind {
	case SignNone:
		return 0, "", false, nil
	case SignValid, SignTampered:
		if len(secrets) == 0 {
			return 0, "", false, nil
		}
		sig = sc.Sign(ts, signed, secrets...)
	case SignWrongSecret:
		sig = sc.Sign(ts, signed, WrongSecretFor(first))
	case SignStale, SignSkewPast:
		ts = now.Add(-skew).Unix()
		sig = sc.Sign(ts, signed, secrets...)
	case SignFuture, SignSkewFuture:
		ts = now.Add(skew).Unix()
		sig = sc.Sign(ts, signed, secrets...)
	case SignEmpty:
		sig = sc.Prefix
	case SignTruncated:
		sig = sc.Sign(ts, signed, first)
		sig = sig[:len(sig)-32]
	case SignRotation:
		sig = sc.Sign(ts, signed, append([]string{WrongSecretFor(first)}, secrets...)...)
	case SignUnknownScheme:
		sig = "v0=" + sc.Compute(WrongSecretFor(first), ts, signed) + sc.Separator + sc.Sign(ts, signed, secrets...)
	default:
		return 0, "", false, fmt.Errorf("signing %q: want one of %v", kind, Signings())
	}
	return ts, sig, true, nil
}
