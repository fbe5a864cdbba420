package catalogue

import (
	"errors"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// issueIDs are the checks issue 4 names, verbatim; the catalogue must hold
// exactly these.
var issueIDs = []string{
	"ack.valid-delivery", "ack.latency", "ack.slow-downstream",
	"signature.missing", "signature.wrong-secret", "signature.tampered-body", "signature.stale-timestamp",
	"signature.future-timestamp", "signature.unknown-scheme", "signature.rotation", "signature.raw-body",
	"signature.rejected-not-recorded",
	"input.malformed-json", "input.empty-body", "input.unknown-fields", "input.unknown-event", "input.oversized",
	"http.method-not-allowed",
	"idempotency.redelivery-ack", "idempotency.concurrent-ack", "idempotency.redelivery", "idempotency.concurrent",
	"idempotency.lost-ack", "idempotency.distinct-events",
	"ordering.out-of-order-ack", "ordering.out-of-order",
	"load.burst", "resilience.still-serving",
}

// issue14IDs are the checks issue 14 adds.
var issue14IDs = []string{
	"signature.clock-skew", "signature.outside-tolerance", "signature.truncated",
	"input.generated", "input.generated-invalid",
	"idempotency.same-event-new-bytes", "idempotency.delayed-redelivery",
}

// issue12IDs are the checks that crash the receiver or fail its downstream.
var issue12IDs = []string{"downstream.flaky", "downstream.outage",
	"durability.crash-after-ack", "durability.restart-redelivery", "durability.crash-mid-burst"}

func TestLoad(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	got, want := slices.Sorted(slices.Values(cat.IDs())), slices.Sorted(slices.Values(slices.Concat(issueIDs, issue14IDs, issue12IDs)))
	if !slices.Equal(got, want) {
		t.Errorf("catalogue ids\n got %v\nwant %v", got, want)
	}
	ids := cat.IDs()
	if ids[len(ids)-1] != "resilience.still-serving" {
		t.Errorf("last check is %s, want resilience.still-serving", ids[len(ids)-1])
	}
	observation := map[string]bool{"signature.rejected-not-recorded": true, "idempotency.redelivery": true,
		"idempotency.concurrent": true, "idempotency.lost-ack": true, "idempotency.distinct-events": true,
		"ordering.out-of-order": true, "ack.slow-downstream": true, "load.burst": true,
		"idempotency.same-event-new-bytes": true, "idempotency.delayed-redelivery": true,
		"downstream.flaky": true, "downstream.outage": true, "durability.crash-after-ack": true,
		"durability.restart-redelivery": true, "durability.crash-mid-burst": true}
	should := map[string]bool{"ack.latency": true, "ack.slow-downstream": true, "signature.future-timestamp": true,
		"signature.unknown-scheme": true, "input.unknown-event": true, "input.oversized": true,
		"http.method-not-allowed": true, "load.burst": true, "input.generated-invalid": true,
		"downstream.outage": true}
	for _, c := range cat.Checks() {
		if c.Observation != observation[c.ID] {
			t.Errorf("%s: observation %v", c.ID, c.Observation)
		}
		if (c.Level == Should) != should[c.ID] {
			t.Errorf("%s: level %s", c.ID, c.Level)
		}
		if c.Restart != (c.Area == "durability") {
			t.Errorf("%s: restart %v", c.ID, c.Restart)
		}
		if !strings.HasPrefix(c.ID, c.Area+".") {
			t.Errorf("%s: area %q", c.ID, c.Area)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no checks":       "checks: []\n",
		"bad level":       "checks:\n  - {id: a.b, level: MAY, title: t, rationale: r}\n",
		"bad id":          "checks:\n  - {id: ab, level: MUST, title: t, rationale: r}\n",
		"label syntax":    "checks:\n  - {id: a.b|c, level: MUST, title: t, rationale: r}\n",
		"no title":        "checks:\n  - {id: a.b, level: MUST, rationale: r}\n",
		"duplicate":       "checks:\n  - {id: a.b, level: MUST, title: t, rationale: r}\n  - {id: a.b, level: MUST, title: t, rationale: r}\n",
		"unknown field":   "checks:\n  - {id: a.b, level: MUST, title: t, rationale: r, weight: 3}\n",
		"assumes unknown": "checks:\n  - {id: a.b, level: MUST, title: t, rationale: r, assumes: [a.c]}\n",
		"assumes itself":  "checks:\n  - {id: a.b, level: MUST, title: t, rationale: r, assumes: [a.b]}\n",
		"assumes later": "checks:\n  - {id: a.b, level: MUST, title: t, rationale: r, assumes: [a.c]}\n" +
			"  - {id: a.c, level: MUST, title: t, rationale: r}\n",
		"MUST assumes SHOULD": "checks:\n  - {id: a.s, level: SHOULD, title: t, rationale: r}\n" +
			"  - {id: a.m, level: MUST, title: t, rationale: r, assumes: [a.s]}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(doc))
			if err == nil {
				t.Fatal("parsed")
			}
			if name != "unknown field" && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	c := Check{ID: "idempotency.concurrent", Level: Must, Area: "idempotency", Observation: true}
	want := []string{"idempotency.concurrent", "MUST", "area:idempotency", "observation"}
	if got := c.Labels(); !slices.Equal(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
}

// spec builds the report of one check spec.
func spec(id string, level Level, state types.SpecState, msg string) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: id,
		LeafNodeLabels: []string{id, string(level)}, State: state, Failure: types.Failure{Message: msg}}
}

func TestVerdict(t *testing.T) {
	passed := spec("a.pass", Must, types.SpecStatePassed, "")
	mustFail := spec("a.must", Must, types.SpecStateFailed, "boom")
	shouldFail := spec("a.should", Should, types.SpecStateFailed, "slow")
	skipped := spec("a.skip", Must, types.SpecStateSkipped, "needs observation")
	notRun := spec("a.filtered", Should, types.SpecStateSkipped, "")
	suiteNode := types.SpecReport{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStateFailed,
		Failure: types.Failure{Message: "broken"}}
	for _, tc := range []struct {
		name   string
		specs  []types.SpecReport
		strict bool
		pass   bool
		failed []string
	}{
		{"all pass", []types.SpecReport{passed, skipped, notRun}, false, true, nil},
		{"must fails", []types.SpecReport{passed, mustFail}, false, false, []string{"a.must"}},
		{"should fails", []types.SpecReport{passed, shouldFail}, false, true, []string{"a.should"}},
		{"should fails strict", []types.SpecReport{shouldFail}, true, false, []string{"a.should"}},
		{"suite node fails", []types.SpecReport{passed, suiteNode}, false, false, nil},
		{"unknown spec", []types.SpecReport{{LeafNodeType: types.NodeTypeIt, LeafNodeText: "x", State: types.SpecStatePassed}}, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Verdict(types.Report{SpecReports: tc.specs}, tc.strict)
			if s.Pass != tc.pass || !slices.Equal(s.Failed, tc.failed) {
				t.Errorf("pass %v failed %v, want %v %v (suite errors %v)", s.Pass, s.Failed, tc.pass, tc.failed, s.SuiteErrors)
			}
		})
	}
	s := Verdict(types.Report{SpecReports: []types.SpecReport{skipped, notRun}}, false)
	if s.Counts[Must][Skipped] != 1 || s.Counts[Should][NotRun] != 1 {
		t.Errorf("counts %v", s.Counts)
	}
	if Verdict(types.Report{SpecialSuiteFailureReasons: []string{"Interrupted by User"}}, false).Pass {
		t.Error("an interrupted run passed")
	}
	// The check a signal stopped is interrupted, not a failed MUST.
	s = Verdict(types.Report{SpecReports: []types.SpecReport{spec("a.running", Must, types.SpecStateInterrupted, "Interrupted by User")},
		SpecialSuiteFailureReasons: []string{"Interrupted by User"}}, false)
	if s.Pass || len(s.Failed) != 0 || s.Counts[Must][Interrupted] != 1 {
		t.Errorf("interrupted check: pass %v failed %v counts %v", s.Pass, s.Failed, s.Counts)
	}
}

func TestAssumption(t *testing.T) {
	doc := "checks:\n" +
		"  - {id: a.must, level: MUST, title: t, rationale: r}\n" +
		"  - {id: a.should, level: SHOULD, title: t, rationale: r}\n" +
		"  - {id: b.must, level: MUST, title: t, rationale: r, assumes: [a.must]}\n" +
		"  - {id: b.should, level: SHOULD, title: t, rationale: r, assumes: [a.must, a.should]}\n"
	cat, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		check  string
		failed []string
		want   string // a part of the reason; "" when the check runs
	}{
		{"b.must", nil, ""},
		{"b.must", []string{"a.should"}, ""},
		{"b.must", []string{"a.must"}, "assumption failed: a.must failed in this run"},
		{"b.should", []string{"a.should"}, "a.should failed"},
		{"b.should", []string{"a.should", "a.must"}, "a.must, a.should failed"},
		{"b.should", []string{"a.must"}, "--only b.should"},
		{"a.must", []string{"a.must"}, ""},
	} {
		ch, _ := cat.Check(tc.check)
		got := ch.Assumption(func(id string) bool { return slices.Contains(tc.failed, id) })
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s with %v failed: reason %q, want one with %q", tc.check, tc.failed, got, tc.want)
		}
		if got != "" && !IsAssumptionSkip(got) {
			t.Errorf("%s: IsAssumptionSkip(%q) is false", tc.check, got)
		}
	}
}

// TestREADMEAssumptions keeps README.md's table of assumptions equal to
// the catalogue's.
func TestREADMEAssumptions(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### Assumptions\n")
	if !ok {
		t.Fatal("README.md has no Assumptions section")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	row := regexp.MustCompile("(?m)^\\| `([a-z.-]+)` \\| (.+) \\|$")
	id := regexp.MustCompile("`([a-z.-]+)`")
	got := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		for _, a := range id.FindAllStringSubmatch(m[2], -1) {
			got[m[1]] = append(got[m[1]], a[1])
		}
	}
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, c := range cat.Checks() {
		if len(c.Assumes) > 0 {
			want[c.ID] = c.Assumes
		}
	}
	if !maps.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("README.md's assumptions\n got %v\nwant %v", got, want)
	}
}
