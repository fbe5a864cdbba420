// Package signature signs and verifies MiniVoice webhook deliveries: an
// HMAC-SHA256 over "<timestamp>.<raw body>", keyed with the UTF-8 bytes of
// the webhook secret exactly as configured, sent lowercase-hex as
// "v1=<hex>" entries separated by commas (one per active secret, so secrets
// can rotate). It imports nothing else of mvh, so receivers can vendor it.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

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

// Compute returns the lowercase hex HMAC-SHA256 of "<ts>.<body>" keyed with
// secret: the value of one v1 entry.
func Compute(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// SignedContent is the exact string the HMAC covers; diagnostics show it so a
// receiver author can compare with what their code hashed.
func SignedContent(ts int64, body []byte) string {
	return strconv.FormatInt(ts, 10) + "." + string(body)
}

// Sign returns the signature header value for body at ts: one "v1=<hex>"
// entry per secret, in the order given.
func Sign(ts int64, body []byte, secrets ...string) string {
	entries := make([]string, len(secrets))
	for i, s := range secrets {
		entries[i] = Version + "=" + Compute(s, ts, body)
	}
	return strings.Join(entries, Separator)
}

// Headers returns the timestamp and signature headers for a delivery signed
// at now, or nil when no secret is configured (MiniVoice then sends neither).
func Headers(now time.Time, body []byte, secrets ...string) map[string]string {
	if len(secrets) == 0 {
		return nil
	}
	ts := now.Unix()
	return map[string]string{
		TimestampHeader: strconv.FormatInt(ts, 10),
		SignatureHeader: Sign(ts, body, secrets...),
	}
}
