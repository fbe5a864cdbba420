package reporters

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseDocument feeds `mvh report` what a user may hand it: whatever
// ParseDocument accepts renders in every format without a panic, and the
// report.json it writes parses back to the same bytes, so publishing a
// published report changes nothing.
func FuzzParseDocument(f *testing.F) {
	sample, err := marshalDocument(JSON(sampleReport(), sampleRun()))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	for _, seed := range []string{"", "{}", "[]", "null", `{"schema_version":1}`,
		`{"schema_version":1,"verdict":"pass","checks":[]}`,
		`{"schema_version":1,"verdict":"x","checks":[{"status":"interrupted","evidence":{}}],"suite_failures":[{}],"summary":{"by_level":null}}`,
		`{"schema_version":1,"verdict":"fail","checks":[{"id":"a<b","status":"failed","duration_ms":-1,"evidence":{"exchanges":[{"request":{}}]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			if !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrNewerSchema) {
				t.Fatalf("error %v is neither ErrNotReport nor ErrNewerSchema", err)
			}
			return
		}
		if _, err := JUnit(doc); err != nil {
			t.Fatalf("junit of an accepted report: %v", err)
		}
		Markdown(doc)
		_, _ = HTML(doc) // a template error is an error, never a panic
		once, err := marshalDocument(doc)
		if err != nil {
			t.Fatalf("report.json of an accepted report: %v", err)
		}
		again, err := ParseDocument(once)
		if err != nil {
			t.Fatalf("mvh report refuses the report.json it wrote: %v", err)
		}
		twice, err := marshalDocument(again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("report.json changed when published again: %v\n%s", err, firstDiff(once, twice))
		}
	})
}
