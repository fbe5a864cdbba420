// Package signature signs and verifies MiniVoice webhook deliveries: an
// HMAC-SHA256 over "<timestamp>.<raw body>", keyed with the UTF-8 bytes of
// the webhook secret exactly as configured, sent lowercase-hex as
// "v1=<hex>" entries separated by commas (one per active secret, so secrets
// can rotate). It imports nothing else of mvh, so receivers can vendor it.
package signature

import "time"

// Header names and constants of the scheme; spec's x-minivoice-signature
// describes the same values and a test keeps them equal.
const (
	TimestampHeader = "X-MiniVoice-Timestamp"
	SignatureHeader = "X-MiniVoice-Signature"
	EventHeader     = "X-MiniVoice-Event"
	// Version is the only scheme this package computes; entries of other
	// versions are ignored on verification.
	Version   = "v1"
	Separator = ","
	// DefaultTolerance is how far a timestamp may be from now, either way.
	DefaultTolerance = 300 * time.Second
)

// Compute is DefaultScheme().Compute: the value of one v1 entry.
func Compute(secret string, ts int64, body []byte) string {
	return DefaultScheme().Compute(secret, ts, body)
}

// SignedContent is DefaultScheme().SignedContent.
func SignedContent(ts int64, body []byte) string { return DefaultScheme().SignedContent(ts, body) }

// Sign is DefaultScheme().Sign: one "v1=<hex>" entry per secret.
func Sign(ts int64, body []byte, secrets ...string) string {
	return DefaultScheme().Sign(ts, body, secrets...)
}

// Headers is DefaultScheme().Headers.
func Headers(now time.Time, body []byte, secrets ...string) map[string]string {
	return DefaultScheme().Headers(now, body, secrets...)
}
