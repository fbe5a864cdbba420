// Package matrix proves the conformance suites in both directions: `mvh
// conform` (the real static binary, as users run it) against the reference
// receiver must pass every check, SHOULDs included, and against each defect
// of receivers/faulty must fail exactly the checks listed here, the one
// that names the defect among them. A change that makes a check over- or
// under-sensitive breaks this test.
package matrix

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/minivoice/mvh/suites/catalogue"
)

// slowDefects is how many of the first defects are runs long enough
// (slow-ack about 3 min, measured) to start before all others.
const slowDefects = 1

// defectRow is one defect of receivers/faulty, the check written to catch
// it and the exact set of checks it fails (measured, then kept).
type defectRow struct {
	defect  string
	named   string
	failing []string
	// assumed are the checks skipped because a check they assume failed
	// first (catalogue "assumes"): the same fault is reported once, by the
	// check that owns it, and the row keeps the checks it had before the
	// check that assumes was written.
	assumed []string
}

// defects is the matrix: a row per defect.
var defects = []defectRow{
	{"slow-ack", "ack.latency", []string{"ack.latency", "ack.slow-downstream"}, []string{"downstream.outage"}},
	{"lossy-queue", "load.burst", []string{"load.burst"}, nil},
	{"accept-unsigned", "signature.missing", []string{"signature.missing", "signature.rejected-not-recorded"}, nil},
	{"accept-wrong-secret", "signature.wrong-secret", []string{"signature.wrong-secret", "signature.tampered-body", "signature.rejected-not-recorded"}, nil},
	{"skip-timestamp-check", "signature.stale-timestamp", []string{"signature.stale-timestamp", "signature.future-timestamp", "signature.rejected-not-recorded", "signature.outside-tolerance"}, nil},
	{"accept-future", "signature.future-timestamp", []string{"signature.future-timestamp", "signature.outside-tolerance"}, nil},
	{"reserialize-body", "signature.raw-body", []string{"signature.raw-body"}, nil},
	{"first-signature-only", "signature.rotation", []string{"signature.rotation"}, nil},
	{"reject-unknown-scheme", "signature.unknown-scheme", []string{"signature.unknown-scheme"}, nil},
	{"status-500-on-bad-signature", "signature.missing", []string{"signature.missing", "signature.wrong-secret", "signature.tampered-body", "signature.stale-timestamp", "signature.future-timestamp", "signature.outside-tolerance", "signature.truncated"}, nil},
	{"malformed-json-500", "input.malformed-json", []string{"input.malformed-json", "input.generated-invalid"}, nil},
	{"strict-fields", "input.unknown-fields", []string{"input.unknown-fields", "input.generated"}, nil},
	{"reject-unknown-event", "input.unknown-event", []string{"input.unknown-event"}, nil},
	{"oversized-500", "input.oversized", []string{"input.oversized"}, nil},
	{"get-200", "http.method-not-allowed", []string{"http.method-not-allowed"}, nil},
	{"conflict-on-duplicate", "idempotency.redelivery-ack", []string{"idempotency.redelivery-ack", "idempotency.concurrent-ack"},
		[]string{"durability.restart-redelivery", "durability.crash-mid-burst"}},
	{"no-dedupe", "idempotency.redelivery", []string{"idempotency.redelivery", "idempotency.concurrent", "idempotency.lost-ack", "load.burst", "idempotency.same-event-new-bytes", "idempotency.delayed-redelivery"},
		[]string{"durability.restart-redelivery", "durability.crash-mid-burst"}},
	{"dedupe-by-call-id", "idempotency.distinct-events", []string{"idempotency.distinct-events", "ordering.out-of-order", "load.burst"}, nil},
	{"racy-dedupe", "idempotency.concurrent", []string{"idempotency.concurrent", "load.burst"}, []string{"durability.crash-mid-burst"}},
	{"reject-out-of-order", "ordering.out-of-order-ack", []string{"ordering.out-of-order-ack", "ordering.out-of-order"}, []string{"load.burst"}},
	{"sync-downstream", "ack.slow-downstream", []string{"ack.slow-downstream"}, []string{"downstream.outage"}},
	{"record-before-verify", "signature.rejected-not-recorded", []string{"signature.rejected-not-recorded"}, nil},
	{"crash-on-oversized", "input.oversized", []string{"input.oversized", "resilience.still-serving"}, nil},
	{"window-60s", "signature.clock-skew", []string{"signature.clock-skew"}, nil},
	{"tolerance-with-margin", "signature.outside-tolerance", []string{"signature.outside-tolerance"}, nil},
	{"signature-prefix-compare", "signature.truncated", []string{"signature.truncated"}, nil},
	{"dedupe-by-body", "idempotency.same-event-new-bytes", []string{"idempotency.same-event-new-bytes"}, nil},
	{"short-dedupe-cache", "idempotency.delayed-redelivery", []string{"idempotency.delayed-redelivery"},
		[]string{"durability.restart-redelivery", "durability.crash-mid-burst"}},
	{"ack-before-store", "durability.crash-after-ack", []string{"durability.crash-after-ack", "durability.crash-mid-burst"}, nil},
	{"memory-dedupe", "durability.restart-redelivery", []string{"durability.restart-redelivery", "durability.crash-mid-burst"}, nil},
	{"forward-no-retry", "downstream.flaky", []string{"downstream.flaky", "downstream.outage"}, nil},
	{"volatile-forward-queue", "durability.crash-mid-burst", []string{"durability.crash-after-ack", "durability.crash-mid-burst"}, nil},
	{"non-ascii-500", "input.generated", []string{"input.generated"}, nil},
	{"missing-required-500", "input.generated-invalid", []string{"input.generated-invalid"}, nil},
	{"drop-fractional-time", "input.generated", []string{"input.generated"}, nil},
}

// rowOf returns defect's row; the zero row (nothing failing, nothing
// skipped) for the reference, which has none.
func rowOf(defect string) defectRow {
	for _, d := range defects {
		if d.defect == defect {
			return d
		}
	}
	return defectRow{}
}

// alone runs the checks that no-dedupe's row skips by assumption, with
// --only: nothing they assume runs, so they judge on their own, and fail.
var alone = struct {
	defect string
	checks []string
}{"no-dedupe", []string{"durability.restart-redelivery", "durability.crash-mid-burst"}}

// TestMatrix runs mvh conform against the reference and every defect, six
// at a time (slowest first), then judges each run in its own subtest.
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries and runs about 45 conformance runs")
	}
	bins := buildBinaries(t)
	var jobs []job
	for _, d := range defects[:slowDefects] { // the slowest first
		jobs = append(jobs, cmdJob(d.defect, bins.receiver("faulty", d.defect)))
	}
	jobs = append(jobs, variantJobs(t, bins)...)
	jobs = append(jobs, cmdJob("reference", bins.receiver("reference", "")), job{name: "demo", args: []string{"--demo"}})
	solo := cmdJob(alone.defect+"-alone", bins.receiver("faulty", alone.defect))
	jobs = append(jobs, job{name: solo.name, args: append(solo.args, "--only", strings.Join(alone.checks, ","))})
	for _, d := range defects[slowDefects:] {
		jobs = append(jobs, cmdJob(d.defect, bins.receiver("faulty", d.defect)))
	}
	// Six at a time: a conformance run mostly waits (settle windows, slow
	// answers, restarts), so six use the two cores no more than four did,
	// and the matrix takes 240 s instead of 370 s on this machine.
	results := runAll(t, bins, jobs, 6)

	// The reference, started as a command and as `mvh conform --demo`,
	// passes every check, SHOULDs included.
	for _, name := range []string{"reference", "demo"} {
		t.Run(name, func(t *testing.T) {
			r := results[name]
			if r.exit != 0 || len(r.failed) != 0 || r.passed != len(r.levels) || r.passed == 0 {
				t.Errorf("exit %d, %d of %d passed, failed %v\n%s", r.exit, r.passed, len(r.levels), r.failed, r.stderr)
			}
		})
	}
	judgeVariants(t, results)
	t.Run("url-restart-cmd", func(t *testing.T) { urlRestartCmd(t, bins) })
	// A payload acknowledged but never recorded is shrunk by its records:
	// the evidence names the property that loses it.
	t.Run("drop-fractional-time/record-shrink", func(t *testing.T) {
		notes := strings.Join(results["drop-fractional-time"].notes["input.generated"], "\n")
		if !strings.Contains(notes, "has 0 records, want 1") || !strings.Contains(notes, "differs from the example in: created_at") {
			t.Errorf("want input.generated's record failure shrunk to created_at; notes:\n%s", notes)
		}
	})
	t.Run(alone.defect+"-alone", func(t *testing.T) {
		if r := results[alone.defect+"-alone"]; !slices.Equal(sorted(r.failed), sorted(alone.checks)) || r.exit != 1 {
			t.Errorf("exit %d, failed %v, want exit 1 and %v failed\n%s", r.exit, r.failed, alone.checks, r.stderr)
		}
	})
	for _, d := range defects {
		t.Run(d.defect, func(t *testing.T) {
			r := results[d.defect]
			if !slices.Contains(r.failed, d.named) {
				t.Errorf("%s did not fail %s, the check that names it", d.defect, d.named)
			}
			got, want := sorted(r.failed), sorted(d.failing)
			if !slices.Equal(got, want) {
				t.Errorf("failing checks\n got %v\nwant %v\n%s", got, want, r.stderr)
			}
			if wantExit := exitFor(r.levels, r.failed); r.exit != wantExit {
				t.Errorf("exit %d, want %d (1 only when a MUST check failed)", r.exit, wantExit)
			}
			judgeSkips(t, r, d.assumed)
		})
	}
}

// judgeSkips requires exactly the assumed checks skipped, each for a failed
// assumption: every other check must run (observation is available).
func judgeSkips(t *testing.T, r result, assumed []string) {
	t.Helper()
	var skipped []string
	for id, why := range r.skips {
		skipped = append(skipped, id)
		if !slices.Contains(assumed, id) {
			t.Errorf("%s skipped: %s", id, why)
		} else if !catalogue.IsAssumptionSkip(why) {
			t.Errorf("%s skipped, but not for a failed assumption: %s", id, why)
		}
	}
	if got, want := sorted(skipped), sorted(assumed); !slices.Equal(got, want) {
		t.Errorf("skipped by assumption\n got %v\nwant %v", got, want)
	}
}

// exitFor is mvh conform's exit status for a set of failing checks without
// --strict.
func exitFor(levels map[string]string, failed []string) int {
	for _, id := range failed {
		if levels[id] == "MUST" {
			return 1
		}
	}
	return 0
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return out
}
