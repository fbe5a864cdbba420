package reporters

import (
	"encoding/json"

	"github.com/minivoice/mvh/redact"
)

// Redacted replaces every secret in everything the reporters write.
const Redacted = redact.Redacted

// redactor is the one scrubber of secrets (package redact); reporters
// scrub strings where they are built and whole files at write time.
type redactor = redact.Redactor

func newRedactor(secrets, keep []string) redactor { return redact.New(secrets, keep) }

// scrubDocument scrubs every string of doc, wherever it sits, by round-tripping it
// through JSON: the model the formats render is clean before any of them
// runs, and the byte pass at write time is a second line of defence.
func scrubDocument(r redactor, doc Document) Document {
	if r.Empty() {
		return doc
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return doc
	}
	var out Document
	if err := json.Unmarshal(r.Bytes(data), &out); err != nil {
		return doc
	}
	return out
}

// Scrub masks every secret in s the way the reports do, leaving the kept
// strings (see Run.Keep) whole: for the messages a command prints itself.
func Scrub(s string, secrets, keep []string) string {
	return newRedactor(secrets, keep).String(s)
}
