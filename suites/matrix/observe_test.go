package matrix

import (
	"slices"
	"strings"
	"testing"

	"github.com/minivoice/mvh/dbtest"
	"github.com/minivoice/mvh/suites/catalogue"
)

// recordsQuery reads the business records of both bundled receivers'
// events tables, one row per record.
const recordsQuery = `SELECT call_id || ':' || event AS key FROM events`

// sinkOnly is the skip reason of the checks that need the harness's own
// downstream (a slow one, say): a receiver that forwards nothing has no
// downstream to slow, so they skip, and say why.
const sinkOnly = "needs the harness sink"

// TestObservation proves the observers and the verdicts about observation
// with one build of the binaries: see observedThroughPostgres and
// observationVerdicts.
func TestObservation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries, starts PostgreSQL and runs seven conformance runs")
	}
	bins := buildBinaries(t)
	t.Run("postgres", func(t *testing.T) { observedThroughPostgres(t, bins) })
	t.Run("verdicts", func(t *testing.T) { observationVerdicts(t, bins) })
}

// observedThroughPostgres: receivers that write only to PostgreSQL and
// forward nothing, observed only through --inspect-sql with
// --require-observation. The reference passes every check it can be
// judged on with --strict; faulty's duplicate and record-before-verify
// defects fail the same checks as through the sink.
func observedThroughPostgres(t *testing.T, bins binaries) {
	pg := dbtest.StartPostgres(t)
	rows := []struct{ name, defect string }{{"reference", ""}, {"no-dedupe", "no-dedupe"}, {"record-before-verify", "record-before-verify"}}
	var jobs []job
	for _, row := range rows {
		dsn := pg.Database(t, strings.ReplaceAll(row.name, "-", "_"))
		cmd := bins.path("reference") + " --no-forward"
		args := []string{"--strict"}
		if row.defect != "" {
			cmd, args = bins.path("faulty")+" --defect "+row.defect, nil
		}
		cmd += " --addr 127.0.0.1:{port} --secret {secret} --db " + dsn
		jobs = append(jobs, job{name: row.name, args: append(args, "--cmd", cmd,
			"--inspect-sql", dsn, "--inspect-query", recordsQuery, "--require-observation")})
	}
	results := runAll(t, bins, jobs, len(jobs))
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := results[row.name]
			for id, why := range r.skips {
				if !strings.HasPrefix(why, sinkOnly) && !(slices.Contains(rowOf(row.defect).assumed, id) && catalogue.IsAssumptionSkip(why)) {
					t.Errorf("%s skipped: %s; only checks that %s, or that the matrix row skips by assumption, may skip", id, why, sinkOnly)
				}
			}
			want := failingWithoutSink(row.defect, r.skips)
			if got := sorted(r.failed); !slices.Equal(got, want) {
				t.Errorf("failing checks\n got %v\nwant %v\n%s", got, want, r.stderr)
			}
			if r.passed == 0 || r.exit != exitFor(r.levels, r.failed) {
				t.Errorf("exit %d, %d passed\n%s", r.exit, r.passed, r.stderr)
			}
		})
	}
}

// failingWithoutSink is what the matrix says defect fails, less the checks
// that skipped for want of the harness sink; nothing for the reference.
func failingWithoutSink(defect string, skips map[string]string) []string {
	var want []string
	for _, id := range rowOf(defect).failing {
		if _, skipped := skips[id]; !skipped {
			want = append(want, id)
		}
	}
	return sorted(want)
}
