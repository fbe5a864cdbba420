package reporters

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Errors of ReadDocument, for callers that branch on bad input.
var (
	// ErrNotReport is a file that is not a report.json mvh wrote.
	ErrNotReport = errors.New("not a report.json")
	// ErrNewerSchema is a report.json of a schema_version this mvh does
	// not know: a newer mvh wrote it, and rendering it could drop or
	// misread what changed.
	ErrNewerSchema = errors.New("schema_version newer than this mvh reads")
)

// ReadDocument reads a saved report.json back into the model the formats
// render, so WriteDocument can publish a run's reports from an artifact.
// Fields a newer mvh added within the same schema_version are ignored.
func ReadDocument(path string) (Document, error) {
	data, err := os.ReadFile(path)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the path is named once, below
	}
	if err != nil {
		return Document{}, fmt.Errorf("report %s: %w", path, err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		return Document{}, fmt.Errorf("report %s: %w", path, err)
	}
	return doc, nil
}

// ParseDocument decodes report.json's bytes; it refuses JSON that lacks
// what every report.json has (schema_version, verdict, checks) and a
// schema_version above SchemaVersion.
func ParseDocument(data []byte) (Document, error) {
	var head struct {
		SchemaVersion *int             `json:"schema_version"`
		Verdict       string           `json:"verdict"`
		Checks        *json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	switch {
	case head.SchemaVersion == nil || head.Verdict == "" || head.Checks == nil:
		return Document{}, fmt.Errorf("%w: no schema_version, verdict or checks", ErrNotReport)
	case *head.SchemaVersion > SchemaVersion:
		return Document{}, fmt.Errorf("%w: schema_version %d, this mvh reads up to %d", ErrNewerSchema, *head.SchemaVersion, SchemaVersion)
	case *head.SchemaVersion < 1:
		return Document{}, fmt.Errorf("%w: schema_version %d", ErrNotReport, *head.SchemaVersion)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return Document{}, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	return doc, nil
}
