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
type redactor struct {
	forms []string // longest first, so an encoding is replaced before its parts
}

func newRedactor(secrets []string) redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
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
	return redactor{forms: forms}
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
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	for _, f := range r.forms {
		b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
	}
	return b
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
