package reporters

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec/signature"
	"github.com/minivoice/mvh/suites/evidence"
)

func TestVerdict(t *testing.T) {
	setupFailed := sampleReport()
	setupFailed.SpecReports = append(setupFailed.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite,
		State: types.SpecStateFailed, NumAttempts: 1, Failure: types.Failure{Message: "receiver not ready: exited with status 2"}})
	onlyShould := sampleReport()
	var keep types.SpecReports
	for _, sr := range onlyShould.SpecReports {
		if !sr.Failed() || sr.LeafNodeText == "signature.unknown-scheme" {
			keep = append(keep, sr)
		}
	}
	onlyShould.SpecReports = keep
	for _, tc := range []struct {
		name    string
		rep     types.Report
		strict  bool
		verdict string
		reason  string
	}{
		{"MUST failures", sampleReport(), false, VerdictFail, "4 MUST checks failed"},
		{"SHOULD failure is advisory", onlyShould, false, VerdictPass, ""},
		{"SHOULD failure with strict", onlyShould, true, VerdictFail, "1 SHOULD check failed: signature.unknown-scheme (strict)"},
		{"failure outside the checks", setupFailed, false, VerdictFail, "receiver not ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := sampleRun()
			run.Strict = tc.strict
			doc := JSON(tc.rep, run)
			if doc.Verdict != tc.verdict || !strings.Contains(strings.Join(doc.VerdictReasons, "\n"), tc.reason) {
				t.Errorf("verdict %s %q, want %s with %q", doc.Verdict, doc.VerdictReasons, tc.verdict, tc.reason)
			}
		})
	}
}

func TestSuiteFailureIsATestcase(t *testing.T) {
	rep := sampleReport()
	rep.SpecReports = append(rep.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite,
		State: types.SpecStateFailed, NumAttempts: 1, Failure: types.Failure{Message: "receiver not ready"}})
	doc := JSON(rep, sampleRun())
	if len(doc.SuiteFailures) != 1 || doc.SuiteFailures[0].Node != "BeforeSuite" {
		t.Errorf("suite failures %+v", doc.SuiteFailures)
	}
	junit, err := JUnit(doc)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(junit, []byte("<testcase ")); n != len(doc.Checks)+1 {
		t.Errorf("%d testcases, want %d checks + the failed BeforeSuite", n, len(doc.Checks))
	}
}

// TestRehydratedReport reads evidence back from a report that went through
// JSON (ginkgo --json-report, parallel processes), where only AsJSON is set.
func TestRehydratedReport(t *testing.T) {
	data, err := json.Marshal(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	var rep types.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(JSON(rep, sampleRun()), JSON(sampleReport(), sampleRun())) {
		t.Error("a rehydrated report gives another document than the in-process one")
	}
}

func TestCapExchanges(t *testing.T) {
	ev := &evidence.Evidence{}
	for i := range 120 {
		status := 200
		if i == 100 {
			status = 500
		}
		ev.Exchanges = append(ev.Exchanges, exchange("copy", "valid", "{}", "2xx", status, time.Duration(i)))
	}
	got := capExchanges(ev)
	if len(got.Exchanges) != maxExchanges || got.Exchanges[maxExchanges-1].Response.Status != 500 || len(got.Notes) != 1 {
		t.Errorf("capped to %d exchanges, last status %d, notes %q", len(got.Exchanges), got.Exchanges[len(got.Exchanges)-1].Response.Status, got.Notes)
	}
	if len(ev.Exchanges) != 120 {
		t.Error("capExchanges changed its input")
	}
}

func TestColorFor(t *testing.T) {
	if ColorFor(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	t.Setenv("NO_COLOR", "1")
	if ColorFor(nil) {
		t.Error("NO_COLOR set, still colour")
	}
}

// TestSavedFixturesReplay loads the saved fixtures with package fixtures and
// replays them: against a receiver with the sample's defects they fail as
// the run did, against a correct one they pass; the record-based
// idempotency.redelivery is one sequence of both deliveries, and a replay
// says it cannot judge it instead of passing it (the "14 passed").
func TestSavedFixturesReplay(t *testing.T) {
	dir := t.TempDir()
	paths, err := SaveFixtures(dir, sampleReport(), Run{Redact: []string{testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fixtures.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	want := []string{"idempotency.redelivery", "signature.missing-1", "signature.rotation-1", "signature.stale-timestamp-1", "signature.unknown-scheme-1"}
	if !reflect.DeepEqual(names, want) || len(paths) != len(want) {
		t.Fatalf("saved %v, want %v", names, want)
	}
	if seq := fs[0]; len(seq.Requests()) != 2 || seq.Requests()[0].Body != seq.Requests()[1].Body || len(seq.Expect.Records) == 0 {
		t.Errorf("idempotency.redelivery: %d requests, records %+v; want the same delivery twice and the records to compare", len(seq.Requests()), seq.Expect.Records)
	}
	lax := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-MiniVoice-Signature") != "" && strings.Count(r.Header.Get("X-MiniVoice-Signature"), "=") > 1 {
			w.WriteHeader(401) // rotation and unknown-scheme rejected, as in the run
		}
	}))
	defer lax.Close()
	const secret = "whsec_replay"
	results, err := fixtures.Replay(context.Background(), signature.Scheme{}, fs, lax.URL, secret, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if seq := strings.HasPrefix(r.Name, "idempotency."); r.Pass || r.NotJudged() != seq || r.Failed() == seq {
			t.Errorf("%s against the defective receiver: %s; want failed, or not judged for the sequence", r.Name, r)
		}
	}
	correct := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if signature.NewVerifier(secret).VerifyRequest(r.Header, body) != nil {
			w.WriteHeader(401)
		}
	}))
	defer correct.Close()
	results, err = fixtures.Replay(context.Background(), signature.Scheme{}, fs, correct.URL, secret, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if seq := strings.HasPrefix(r.Name, "idempotency."); r.Pass == seq || r.NotJudged() != seq {
			t.Errorf("%s against a correct receiver: %s; want passed, or not judged for the sequence", r.Name, r)
		}
	}
}

// TestTamperedFixtureKeepsSignedBody: a fixture of a tampered request signs
// exactly the bytes the check signed (evidence's signed_body), not a guess.
func TestTamperedFixtureKeepsSignedBody(t *testing.T) {
	x := exchange("body changed after signing", "tampered", body("call_tamp2", "call.created"), "4xx", 200, 0)
	rep := types.Report{SpecReports: types.SpecReports{
		spec("signature.tampered-body", "MUST", types.SpecStateFailed, "body changed after signing: got 200, want 4xx", 0, ev(x)),
	}}
	dir := t.TempDir()
	if _, err := SaveFixtures(dir, rep, Run{Redact: []string{testSecret}}); err != nil {
		t.Fatal(err)
	}
	fs, err := fixtures.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("saved %d fixtures, want 1", len(fs))
	}
	got := fs[0].Request
	if got.Body != x.Request.Body || got.SignedBody != x.Request.SignedBody || got.SignedBody == got.Body {
		t.Errorf("fixture body %q signed_body %q; want body %q signed_body %q", got.Body, got.SignedBody, x.Request.Body, x.Request.SignedBody)
	}
}
