package reporters_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/minivoice/mvh/reporters"
)

// savedReport is a report.json as a CI artifact holds it (a short one).
const savedReport = `{
  "schema_version": 1,
  "verdict": "fail",
  "verdict_reasons": ["1 MUST check failed: signature.missing"],
  "strict": false,
  "target": {"description": "url", "url": "http://127.0.0.1:8080/webhooks/minivoice"},
  "harness": {"version": "v1.0.0", "command": "mvh conform --url http://127.0.0.1:8080/webhooks/minivoice --json"},
  "spec": {"title": "MiniVoice Webhooks", "version": "1.0.0"},
  "started_at": "2026-05-29T12:00:00Z",
  "duration_ms": 1500,
  "summary": {"total": {"checks": 1, "failed": 1}, "by_level": {"MUST": {"checks": 1, "failed": 1}}, "not_run": 0},
  "checks": [{"id": "signature.missing", "level": "MUST", "area": "signature",
    "title": "A delivery without signature headers gets 4xx", "status": "failed", "blocking": true,
    "duration_ms": 40, "failure": "expected 4xx, got 200"}]
}`

// ExampleWriteDocument publishes every report format of a saved
// report.json, as `mvh report FILE.json --report-dir DIR` does.
func ExampleWriteDocument() {
	tmp, err := os.MkdirTemp("", "mvh-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	saved := filepath.Join(tmp, "run.json")
	if err := os.WriteFile(saved, []byte(savedReport), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	doc, err := reporters.ReadDocument(saved)
	if err != nil {
		fmt.Println(err)
		return
	}
	paths, err := reporters.WriteDocument(filepath.Join(tmp, "published"), doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// junit.xml
	// report.json
	// report.md
	// report.html
}

// ExampleJUnit shows junit.xml of a run with one failed check.
func ExampleJUnit() {
	doc, err := reporters.ParseDocument([]byte(savedReport))
	if err != nil {
		fmt.Println(err)
		return
	}
	junit, err := reporters.JUnit(doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(junit))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites tests="1" disabled="0" errors="0" failures="1" time="1.5">
	//   <testsuite name="MiniVoice receiver conformance" package="github.com/minivoice/mvh/suites" tests="1" disabled="0" skipped="0" errors="0" failures="1" time="1.5" timestamp="2026-05-29T12:00:00">
	//     <properties>
	//       <property name="verdict" value="fail"></property>
	//       <property name="strict" value="false"></property>
	//       <property name="harness_version" value="v1.0.0"></property>
	//     </properties>
	//     <testcase name="MiniVoice receiver conformance signature.missing [MUST]" classname="MiniVoice receiver conformance" status="failed" time="0.04">
	//       <failure message="expected 4xx, got 200" type="failed">[FAILED] expected 4xx, got 200&#xA;</failure>
	//       <properties>
	//         <property name="check_id" value="signature.missing"></property>
	//         <property name="level" value="MUST"></property>
	//         <property name="area" value="signature"></property>
	//         <property name="title" value="A delivery without signature headers gets 4xx"></property>
	//       </properties>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}
