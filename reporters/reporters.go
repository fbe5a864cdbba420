// Package reporters turns a conformance run (Ginkgo's types.Report plus the
// evidence.Evidence each check attaches) into what the people and machines
// around a CI gate read: junit.xml for CI systems, report.json for tools,
// report.md for job summaries, a one-file report.html with a copy-paste
// reproduction of every failure, terminal progress, and the failing requests
// saved as regression fixtures. Like Ginkgo's own reporters package, each
// format lives in a small file of its own; they all render one Document, so
// the formats never disagree, and every writer scrubs Run.Redact.
package reporters

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2/types"
)

// File names WriteDir writes, in the order it returns their paths.
const (
	JUnitFile    = "junit.xml"
	JSONFile     = "report.json"
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
)

// Run is what the conformance run was, beside Ginkgo's report: the reports
// print it in their headers, and Redact lists what they must never print.
type Run struct {
	Target, ReceiverURL string // description and URL of the receiver
	Observation         string // the observer's kind ("sink", "sql", ...), "none" without one
	HarnessVersion      string
	Seed                int64 // input.generated's seed: --seed repeats the run's payloads
	SpecTitle           string
	SpecVersion         string
	Strict              bool   // SHOULD failures fail the verdict too
	Command             string // the `mvh conform ...` command line, for the report header
	ReceiverLogs        []byte // captured stdout/stderr of a started receiver
	Redact              []string
	// Keep is what the user typed as something other than the secret (the
	// target URL, --path, other flags): printed whole even where a secret
	// occurs inside it.
	Keep []string
}

// WriteDir writes junit.xml, report.json, report.md and report.html of a
// run into dir (created if needed) and returns their paths: WriteDocument
// of the run's Document, with every file scrubbed of run.Redact once more.
func WriteDir(dir string, rep types.Report, run Run) ([]string, error) {
	return writeFiles(dir, JSON(rep, run), newRedactor(run.Redact, run.Keep))
}

// WriteDocument writes every format of a Document, as read back from a
// run's report.json by ReadDocument, into dir: the same bytes the run
// wrote, since every format renders the Document alone. Its paths are in
// the order of WriteDir's.
func WriteDocument(dir string, doc Document) ([]string, error) {
	return writeFiles(dir, doc, newRedactor(nil, nil))
}

// writeFiles writes every file it can and joins the errors of those it
// cannot, so one bad format does not cost the others.
func writeFiles(dir string, doc Document, red redactor) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report dir %s: %w", dir, err)
	}
	writers := []struct {
		name   string
		render func() ([]byte, error)
	}{
		{JUnitFile, func() ([]byte, error) { return JUnit(doc) }},
		{JSONFile, func() ([]byte, error) { return marshalDocument(doc) }},
		{MarkdownFile, func() ([]byte, error) { return Markdown(doc), nil }},
		{HTMLFile, func() ([]byte, error) { return HTML(doc) }},
	}
	var paths []string
	var errs []error
	for _, w := range writers {
		path := filepath.Join(dir, w.name)
		data, err := w.render()
		if err == nil {
			err = os.WriteFile(path, red.Bytes(data), 0o644)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", path, err))
			continue
		}
		paths = append(paths, path)
	}
	return paths, errors.Join(errs...)
}
