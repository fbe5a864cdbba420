package reporters

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"slices"
	"strings"
)

// Redacted replaces every secret in everything the reporters write.
const Redacted = "[REDACTED]"

// redactor scrubs secrets from output. A secret can reach a report already
// encoded (JSON inside a JUnit property, HTML-escaped in report.html), so it
// replaces every encoding a writer may have applied, not just the raw bytes.
//
// Strings in keep are what the user typed as something other than the
// secret (the target URL, --path, other flags): where one of them holds a
// secret (--secret minivoice with the path /webhooks/minivoice) it is left
// whole, so scrubbing never corrupts the user's own input.
type redactor struct {
	forms []string // longest first, so an encoding is replaced before its parts
	keep  []string // encodings of kept strings that hold a form, longest first
}

func newRedactor(secrets, keep []string) redactor {
	forms := allEncodings(secrets)
	var kept []string
	for _, k := range allEncodings(keep) {
		if slices.ContainsFunc(forms, func(f string) bool { return len(k) > len(f) && strings.Contains(k, f) }) {
			kept = append(kept, k)
		}
	}
	return redactor{forms: forms, keep: kept}
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

func (r redactor) string(s string) string {
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
func (r redactor) nextKept(s string) (at int, kept string) {
	at = len(s)
	for _, k := range r.keep {
		if i := strings.Index(s, k); i >= 0 && (i < at || i == at && len(k) > len(kept)) {
			at, kept = i, k
		}
	}
	return at, kept
}

func (r redactor) scrub(s string) string {
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	if len(r.forms) == 0 {
		return b
	}
	return []byte(r.string(string(b)))
}

// document scrubs every string of doc, wherever it sits, by round-tripping it
// through JSON: the model the formats render is clean before any of them
// runs, and the byte pass at write time is a second line of defence.
func (r redactor) document(doc Document) Document {
	if len(r.forms) == 0 {
		return doc
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return doc
	}
	var out Document
	if err := json.Unmarshal(r.bytes(data), &out); err != nil {
		return doc
	}
	return out
}

// Scrub masks every secret in s the way the reports do, leaving the kept
// strings (see Run.Keep) whole: for the messages a command prints itself.
func Scrub(s string, secrets, keep []string) string {
	return newRedactor(secrets, keep).string(s)
}
