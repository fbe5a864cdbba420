package reporters

import (
	"cmp"
	"maps"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/suites/evidence"
)

// testSecret is the run's secret in the sample report: it has characters
// every encoding changes, so redaction is tested against all of them.
const testSecret = `whsec_t0p<s3cr3t>&"q'+z`

const sampleURL = "http://127.0.0.1:18080/webhooks/minivoice"

var t0 = time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC)

// sampleRun describes the sample run; its receiver logs leak the secret on
// purpose, as a careless receiver's would.
func sampleRun() Run {
	return Run{
		Target:         "command bin/faulty --defect accept-unsigned",
		ReceiverURL:    sampleURL,
		Observation:    "sink",
		HarnessVersion: "v0.1.0-test",
		SpecTitle:      "MiniVoice Webhooks",
		SpecVersion:    "1.0.0",
		Command:        "mvh conform --cmd 'bin/faulty --defect accept-unsigned --addr {addr}' --report-dir out",
		ReceiverLogs:   []byte("level=INFO msg=listening addr=127.0.0.1:18080\nlevel=DEBUG msg=config secret=" + testSecret + "\n"),
		Redact:         []string{testSecret},
	}
}

func body(callID, event string) string {
	return `{"event":"` + event + `","created_at":"2026-05-29T12:00:00Z","call":{"id":"` + callID +
		`","status":"in_progress"},"variables":{},"data":{"event_key":"` + callID + `:` + event + `"}}`
}

// exchange builds one request/answer pair signed the way kind says, sent
// at offset from t0.
func exchange(label string, kind delivery.Signing, b, expect string, status int, offset time.Duration) evidence.Exchange {
	started := t0.Add(offset)
	h := map[string]string{"Content-Type": "application/json", "X-MiniVoice-Event": "call.created", "User-Agent": "mvh/test"}
	signed := ""
	if kind == delivery.SignTampered { // signed before a man in the middle changed the variables
		signed = strings.Replace(b, `"variables":{}`, `"variables":{"transfer_to":"+15550000000"}`, 1)
	}
	sig, err := delivery.Headers(kind, started, []byte(cmp.Or(signed, b)), 0, testSecret)
	if err != nil {
		panic(err) // a sample with a kind of signing that does not exist
	}
	maps.Copy(h, sig)
	return evidence.Exchange{
		Label:    label,
		Request:  evidence.Request{Method: "POST", URL: sampleURL, Headers: h, Body: b, BodySize: len(b), SignedBody: signed, Signed: kind},
		Response: &evidence.Response{Status: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`},
		Started:  started,
		Latency:  time.Duration(3+offset/time.Second) * time.Millisecond,
		Expect:   expect,
	}
}

// spec builds the spec report of one check, as H6's suites label it.
func spec(id, level string, state types.SpecState, msg string, offset time.Duration, ev *evidence.Evidence) types.SpecReport {
	area, _, _ := strings.Cut(id, ".")
	sr := types.SpecReport{
		ContainerHierarchyTexts: []string{"MiniVoice receiver"},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            id,
		LeafNodeLabels:          []string{id, level, "area:" + area},
		LeafNodeLocation:        types.CodeLocation{FileName: "/mvh/suites/checks.go", LineNumber: 42},
		State:                   state,
		StartTime:               t0.Add(offset),
		EndTime:                 t0.Add(offset + 25*time.Millisecond),
		RunTime:                 25 * time.Millisecond,
		NumAttempts:             1,
	}
	if msg != "" {
		sr.Failure = types.Failure{Message: msg, Location: types.CodeLocation{FileName: "/mvh/suites/checks.go", LineNumber: 57},
			FailureNodeType: types.NodeTypeIt, FailureNodeLocation: sr.LeafNodeLocation, TimelineLocation: types.TimelineLocation{Time: t0.Add(offset + 20*time.Millisecond)}}
	}
	if ev != nil {
		ev.CheckID = id
		sr.ReportEntries = types.ReportEntries{{
			Name: evidence.EntryName, Visibility: types.ReportEntryVisibilityNever,
			Time: t0.Add(offset), Value: types.WrapEntryValue(ev),
		}}
	}
	return sr
}

func ev(xs ...evidence.Exchange) *evidence.Evidence { return &evidence.Evidence{Exchanges: xs} }

// sampleReport is a run against a receiver that accepts unsigned and stale
// deliveries, mishandles rotation and unknown schemes, and records
// redeliveries twice; the rest passes or is skipped.
func sampleReport() types.Report {
	rawBody := "{\"event\":\"call.created\",\r\n\t\"note\":\"caf\\u00e9 it's 100%\",  \"n\":1.0,\"call\":{\"id\":\"call_raw1\"}}"
	secretEcho := exchange("no signature headers", "none", body("call_miss1", "call.created"), "4xx", 200, time.Second)
	secretEcho.Response.Body = `{"ok":true,"debug":"verified with ` + testSecret + `"}`
	oversized := exchange("5 MiB body", "valid", `{"event":"call.created","pad":"`+strings.Repeat("x", 120), "2xx or 4xx", 413, 9*time.Second)
	oversized.Request.BodySize, oversized.Request.Truncated = 5<<20, true
	get := exchange("GET", "none", "", "405", 405, 10*time.Second)
	get.Request.Method = "GET"
	redelivery := ev(exchange("first delivery", "valid", body("call_dup1", "call.created"), "2xx", 200, 7*time.Second),
		exchange("redelivery", "valid", body("call_dup1", "call.created"), "2xx", 200, 7*time.Second+100*time.Millisecond))
	redelivery.Records = []evidence.Record{{Key: "call_dup1:call.created", Count: 2, Want: "exactly 1"}}
	redelivery.Notes = []string{"records counted over a 2s window after the redelivery"}
	filtered := spec("load.burst", "SHOULD", types.SpecStateSkipped, "", 0, nil)
	filtered.NumAttempts = 0
	dup := spec("idempotency.redelivery", "MUST", types.SpecStateFailed,
		"idempotency.redelivery: 2 business records for call_dup1:call.created\nExpected\n    <int>: 2\nto equal\n    <int>: 1", 7*time.Second, redelivery)
	dup.CapturedGinkgoWriterOutput = "sink saw record with header X-Debug-Secret: " + testSecret + "\n"
	return types.Report{
		SuitePath:        "/mvh/suites",
		SuiteDescription: "MiniVoice receiver conformance",
		SuiteSucceeded:   false,
		StartTime:        t0,
		EndTime:          t0.Add(12 * time.Second),
		RunTime:          12 * time.Second,
		SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed, RunTime: time.Second, NumAttempts: 1},
			spec("ack.valid-delivery", "MUST", types.SpecStatePassed, "", 0, ev(
				exchange("call.created", "valid", body("call_ok1", "call.created"), "2xx", 200, 0),
				exchange("call.completed", "valid", body("call_ok1", "call.completed"), "2xx", 200, 0))),
			spec("signature.missing", "MUST", types.SpecStateFailed,
				"signature.missing: the receiver accepted a delivery without signature headers: expected 4xx, got 200", time.Second, ev(secretEcho)),
			spec("signature.stale-timestamp", "MUST", types.SpecStateFailed,
				"signature.stale-timestamp: expected 4xx, got 202 for a timestamp 600s old", 2*time.Second,
				ev(exchange("timestamp 10 min old", "stale", body("call_stale1", "call.created"), "4xx", 202, 2*time.Second))),
			spec("signature.tampered-body", "MUST", types.SpecStatePassed, "", 3*time.Second,
				ev(exchange("body altered after signing", "tampered", body("call_tamp1", "call.created"), "4xx", 401, 3*time.Second))),
			spec("signature.rotation", "MUST", types.SpecStateFailed, "signature.rotation: expected 2xx, got 401: only the first v1 entry was tried", 4*time.Second,
				ev(exchange("old then new secret", "rotation", "{\"event\":\"call.created\",\r\n\t\"call\":{\"id\":\"call_rot1\"},\"note\":\"it's 100% <b>\"}", "2xx", 401, 4*time.Second))),
			spec("signature.unknown-scheme", "SHOULD", types.SpecStateFailed, "signature.unknown-scheme: expected 2xx, got 400", 5*time.Second,
				ev(exchange("v0 entry first", "unknown-scheme", body("call_v0", "call.created"), "2xx", 400, 5*time.Second))),
			spec("signature.raw-body", "MUST", types.SpecStatePassed, "", 6*time.Second,
				ev(exchange("escaped unicode, CRLF, tab, 1.0", "valid", rawBody, "2xx", 200, 6*time.Second))),
			dup,
			spec("ack.slow-downstream", "SHOULD", types.SpecStateSkipped, "no observation: needs observation: see the receiver's records through {sink_url} (--cmd) or --sink-addr, or read where it keeps them with --inspect-sql, --inspect-cmd, --inspect-exec or --inspect-url", 8*time.Second, nil),
			spec("input.oversized", "SHOULD", types.SpecStatePassed, "", 9*time.Second, ev(oversized)),
			spec("http.method-not-allowed", "SHOULD", types.SpecStatePassed, "", 10*time.Second, ev(get)),
			filtered,
		},
	}
}
