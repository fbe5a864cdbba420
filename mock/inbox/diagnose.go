package inbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// contentPreview bounds how much of the signed content a diagnosis prints:
// enough to compare the start and end of what the sender hashed.
const contentPreview = 160

// Diagnosis is the inbox's account of one delivery's signature: whether it
// verifies and, when it does not, every fact a sender's author needs to find
// out why, without ever revealing a secret.
type Diagnosis struct {
	// Checked is false when the inbox has no secret, so nothing was verified.
	Checked bool `json:"checked"`
	Valid   bool `json:"valid"`
	// Reason is one line: "signature secret #2", "missing header X-...",
	// "timestamp too old: 6m0s old, tolerance 5m0s", "no match: ...".
	Reason string `json:"reason"`
	// Err is the sentinel of spec/signature the failure wraps.
	Err error `json:"-"`
	// Expected is the signed content "<ts>.<body>", abbreviated when long;
	// set only when no entry matches.
	Expected string `json:"expected,omitempty"`
	// Computed holds "v1=<hex>" per secret index, in --secret order, as the
	// inbox computed it over Expected; set only when no entry matches.
	Computed []string `json:"computed,omitempty"`
	// Received holds the header's entries as sent; set only when no entry matches.
	Received []string `json:"received,omitempty"`

	// signedBody is what the signature really covers when the diagnosis found
	// the alteration; a saved fixture keeps it as its signed_body.
	signedBody []byte
}

func (d Diagnosis) errIs(target error) bool { return errors.Is(d.Err, target) }

// Detail renders the lines a person reads under a failed delivery.
func (d Diagnosis) Detail() []string {
	if len(d.Computed) == 0 {
		return nil
	}
	lines := []string{"expected signed content: " + d.Expected}
	for i, c := range d.Computed {
		lines = append(lines, fmt.Sprintf("computed with secret #%d: %s", i+1, c))
	}
	lines = append(lines, "received: "+strings.Join(d.Received, ", "))
	return lines
}

// diagnose verifies h and body against secrets and explains a failure. It
// uses spec/signature's Verifier for the verdict, so the inbox can never
// accept what a conforming receiver would reject, and only adds the why.
func diagnose(h http.Header, body []byte, secrets []string, sc signature.Scheme, now time.Time) Diagnosis {
	sc = sc.WithDefaults()
	if len(secrets) == 0 {
		reason := "unsigned, not verified (no --secret)"
		if h.Get(sc.SignatureHeader) != "" {
			reason = "signed, not verified (no --secret)"
		}
		return Diagnosis{Reason: reason}
	}
	d := Diagnosis{Checked: true}
	ts, sig := h.Get(sc.TimestampHeader), h.Get(sc.SignatureHeader)
	if ts == "" && sig == "" {
		d.Err = signature.ErrMissingHeader
		d.Reason = fmt.Sprintf("missing header %s and %s: the delivery is unsigned", sc.TimestampHeader, sc.SignatureHeader)
		return d
	}
	v := signature.Verifier{Secrets: secrets, Scheme: sc, Now: func() time.Time { return now }}
	err := v.Verify(ts, sig, body)
	if err == nil {
		d.Valid = true
		d.Reason = "signature " + matchingSecret(sc, ts, sig, body, secrets)
		return d
	}
	d.Err = err
	d.Reason = err.Error()
	if errors.Is(err, signature.ErrNoMatch) {
		explainMismatch(&d, sc, ts, sig, body, secrets)
	}
	return d
}

// matchingSecret names which secret verified, so a rotation can be watched.
func matchingSecret(sc signature.Scheme, ts, header string, body []byte, secrets []string) string {
	t, _ := sc.ParseTimestamp(ts)
	for i, s := range secrets {
		want := sc.Prefix + sc.Compute(s, t, body)
		for _, entry := range strings.Split(header, sc.Separator) {
			if strings.TrimSpace(entry) == want {
				return fmt.Sprintf("ok with secret #%d", i+1)
			}
		}
	}
	return "ok"
}

// explainMismatch fills the evidence of a no-match and tells a body changed
// after signing (a proxy or framework re-encoding it) from a wrong secret, by
// trying the usual alterations of the body with every secret.
func explainMismatch(d *Diagnosis, sc signature.Scheme, ts, header string, body []byte, secrets []string) {
	t, _ := sc.ParseTimestamp(ts)
	d.Expected = abbreviate(sc.SignedContent(t, body), contentPreview)
	for _, s := range secrets {
		d.Computed = append(d.Computed, sc.Prefix+sc.Compute(s, t, body))
	}
	for _, entry := range strings.Split(header, sc.Separator) {
		d.Received = append(d.Received, strings.TrimSpace(entry))
	}
	sums, _ := sc.ParseHeader(header)
	for _, alt := range alterations(body) {
		for i, s := range secrets {
			if matches(sc, sums, s, t, alt.content) {
				d.Reason = fmt.Sprintf("%s: body altered after signing: the signature matches secret #%d over the %s", signature.ErrNoMatch, i+1, alt.name)
				d.signedBody = alt.content
				return
			}
		}
	}
	for i, s := range secrets {
		if bodyOnly(sums, s, body) {
			d.Reason = fmt.Sprintf("%s: the sender signed the body alone with secret #%d; the signed content must be \"<timestamp>.<body>\"", signature.ErrNoMatch, i+1)
			return
		}
	}
	d.Reason = fmt.Sprintf("%s: no v1 entry matches any of %d secret(s): the sender used another secret, or the body was altered", signature.ErrNoMatch, len(secrets))
}

func matches(sc signature.Scheme, sums [][]byte, secret string, ts int64, content []byte) bool {
	want, _ := hex.DecodeString(sc.Compute(secret, ts, content))
	return anyEqual(sums, want)
}

// bodyOnly catches the commonest sender bug: an HMAC over the body without
// the timestamp prefix.
func bodyOnly(sums [][]byte, secret string, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return anyEqual(sums, mac.Sum(nil))
}

func anyEqual(sums [][]byte, want []byte) bool {
	for _, got := range sums {
		if hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// alteration is a body as some middleware might have changed it.
type alteration struct {
	name    string
	content []byte
}

func alterations(body []byte) []alteration {
	var out []alteration
	add := func(name string, b []byte) {
		if b != nil && !bytes.Equal(b, body) {
			out = append(out, alteration{name, b})
		}
	}
	add("body without surrounding whitespace", bytes.TrimSpace(body))
	add("body with a trailing newline", append(append([]byte(nil), body...), '\n'))
	var compact bytes.Buffer
	if json.Compact(&compact, body) == nil {
		add("body as compact JSON", compact.Bytes())
	}
	var indented bytes.Buffer
	if json.Indent(&indented, body, "", "  ") == nil {
		add("body as indented JSON", indented.Bytes())
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		re, _ := json.Marshal(v)
		add("body re-encoded with sorted keys", re)
	}
	return out
}

// abbreviate keeps the start and end of s, marking how much was cut.
func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	half := n / 2
	return fmt.Sprintf("%s…(%d bytes cut)…%s", s[:half], len(s)-2*half, s[len(s)-half:])
}
