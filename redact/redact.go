// Package redact masks webhook secrets in text the harness shows or
// writes: reports, fixtures, the mock's attempt history, listen's output.
// A secret can reach text already encoded (JSON inside a JUnit property,
// HTML-escaped in a page), so every encoding a writer may apply is masked,
// not only the raw bytes. It imports nothing of mvh, so every layer can.
package redact

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"slices"
	"strings"
)

// Redacted replaces every secret.
const Redacted = "[REDACTED]"

// Redactor scrubs secrets from output. A secret can reach a report already
// encoded (JSON inside a JUnit property, HTML-escaped in report.html), so it
// replaces every encoding a writer may have applied, not just the raw bytes.
//
// Strings in keep are what the user typed as something other than the
// secret (the target URL, --path, other flags): where one of them holds a
// secret (--secret minivoice with the path /webhooks/minivoice) it is left
// whole, so scrubbing never corrupts the user's own input.
type Redactor struct {
	forms []string // longest first, so an encoding is replaced before its parts
	keep  []string // encodings of kept strings that hold a form, longest first
}

// New returns a Redactor of secrets that leaves the strings of keep whole.
func New(secrets, keep []string) Redactor {
	forms := allEncodings(secrets)
	var kept []string
	for _, k := range allEncodings(keep) {
		if slices.ContainsFunc(forms, func(f string) bool { return len(k) > len(f) && strings.Contains(k, f) }) {
			kept = append(kept, k)
		}
	}
	return Redactor{forms: forms, keep: kept}
}

// allEncodings is every encoding of every non-empty string of ss, once
// each, longest first.
func allEncodings(ss []string) []string {
	seen := map[string]bool{}
	var forms []string
	for _, s := range ss {
		if s == "" {
			continue
		}
		for _, f := range encodings(s) {
			if f != "" && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return forms
}

// encodings lists the ways s may appear in our outputs: raw, JSON-escaped
// (with and without HTML escaping), XML-escaped, HTML-escaped (as
// html/template and html.EscapeString do it, and with &quot;), and the XML
// escape of the JSON escape (Ginkgo's JUnit properties hold JSON).
func encodings(s string) []string {
	jsonHTML := jsonEscape(s, true)
	jsonPlain := jsonEscape(s, false)
	return []string{
		s, jsonHTML, jsonPlain, jsonEscape(jsonHTML, true),
		xmlEscape(s), xmlEscape(jsonHTML), xmlEscape(jsonPlain),
		html.EscapeString(s), html.EscapeString(jsonPlain),
		templateEscaper.Replace(s), templateEscaper.Replace(jsonPlain), quotEscaper.Replace(s),
	}
}

// templateEscaper escapes text the way html/template does in element
// content, which also turns '+' into an entity.
var templateEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;", "\x00", "\uFFFD")

var quotEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func jsonEscape(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// String masks every secret in s.
func (r Redactor) String(s string) string {
	if len(r.forms) == 0 {
		return s
	}
	var out strings.Builder
	for s != "" {
		at, k := r.nextKept(s)
		out.WriteString(r.scrub(s[:at]))
		out.WriteString(k)
		s = s[at+len(k):]
	}
	return out.String()
}

// nextKept finds the first kept string in s (the longest where two start
// at the same place); at is len(s) when there is none.
func (r Redactor) nextKept(s string) (at int, kept string) {
	at = len(s)
	for _, k := range r.keep {
		if i := strings.Index(s, k); i >= 0 && (i < at || i == at && len(k) > len(kept)) {
			at, kept = i, k
		}
	}
	return at, kept
}

func (r Redactor) scrub(s string) string {
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

// Bytes masks every secret in b.
func (r Redactor) Bytes(b []byte) []byte {
	if len(r.forms) == 0 {
		return b
	}
	return []byte(r.String(string(b)))
}

// Forms lists every encoding of s a Redactor masks, for tests that grep
// outputs for a secret in any form.
func Forms(s string) []string { return encodings(s) }

// Empty reports whether r masks nothing (it was given no secret).
func (r Redactor) Empty() bool { return len(r.forms) == 0 }
