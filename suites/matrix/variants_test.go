package matrix

import (
	"os"
	"strings"
	"testing"
)

// variants are correct receivers that differ from the reference in ways
// the catalogue must accept; each must pass every check with --strict.
var variants = []struct {
	name, mode, why string
	env             []string
}{
	{"shed", "shed", "answers 429 with Retry-After: 1 above 4 deliveries in flight", nil},
	{"rate-limit", "rate-limit", "answers 429 with Retry-After: 1 above 20 deliveries a second", []string{"MVH_VARIANT_LIMIT=20"}},
	{"no-body", "no-body", "answers 204 with no body instead of 200 {\"ok\":true}", nil},
	{"close", "close", "closes every connection after its answer (Connection: close)", nil},
	{"slow-forward", "slow-forward", "forwards its records one at a time, 100 ms each", nil},
	{"get-404", "get-404", "a router that knows only POST: 404 to a GET of the webhook path", nil},
}

// burstRows run load.burst alone against a variant: it passes against a
// receiver whose records take over 30 s to arrive, and fails, naming the
// lost keys, against one that answers 204 above its limit and forgets.
var burstRows = []struct {
	name string
	env  []string
	pass bool
}{
	{"burst-slow-forward-30s", []string{"MVH_VARIANT=slow-forward", "MVH_VARIANT_DELAY=400ms"}, true},
	{"burst-forget", []string{"MVH_VARIANT=forget"}, false},
}

// slowBurst is the least a one-at-a-time forwarder at 400 ms per record
// needs for the 80 distinct events of a 100-delivery burst.
const slowBurst = 32e9

// variantJobs are the conformance runs of the variants and burst rows,
// the test binary itself being the receiver (see TestMain).
func variantJobs(t *testing.T) []job {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"--cmd", self, "--env", "MVH_SECRET={secret}", "--env", "DOWNSTREAM_URL={sink_url}"}
	var jobs []job
	for _, r := range burstRows {
		args := append([]string{"--only", "load.burst", "--strict"}, base...)
		for _, kv := range r.env {
			args = append(args, "--env", kv)
		}
		jobs = append(jobs, job{name: r.name, args: args})
	}
	for _, v := range variants {
		args := append([]string{"--strict", "--env", "MVH_VARIANT=" + v.mode}, base...)
		for _, kv := range v.env {
			args = append(args, "--env", kv)
		}
		jobs = append(jobs, job{name: "variant-" + v.name, args: args})
	}
	return jobs
}

// judgeVariants checks the variants' and burst rows' runs.
func judgeVariants(t *testing.T, results map[string]result) {
	for _, v := range variants {
		t.Run("variant-"+v.name, func(t *testing.T) {
			r := results["variant-"+v.name]
			if r.exit != 0 || len(r.failed) != 0 || r.skipped != 0 || r.passed != len(r.levels) || r.passed == 0 {
				t.Errorf("a correct receiver (%s): exit %d, %d of %d passed, failed %v, skipped %d\n%s",
					v.why, r.exit, r.passed, len(r.levels), r.failed, r.skipped, r.stderr)
			}
		})
	}
	t.Run("variant-shed/load.burst-retried", func(t *testing.T) {
		notes := strings.Join(results["variant-shed"].notes["load.burst"], "\n")
		if strings.Contains(notes, " 0 answers shed load") || !strings.Contains(notes, "answers shed load") {
			t.Errorf("load.burst against a shedding receiver shed nothing, so proves nothing:\n%s", notes)
		}
	})
	for _, row := range burstRows {
		t.Run(row.name, func(t *testing.T) {
			r := results[row.name]
			switch {
			case row.pass && (r.exit != 0 || r.passed != 1):
				t.Errorf("exit %d, failed %v: %s\n%s", r.exit, r.failed, r.messages["load.burst"], r.stderr)
			case row.pass && r.duration < slowBurst:
				t.Errorf("the run took %s, less than the forwarding alone needs", r.duration)
			case !row.pass && (r.exit != 1 || len(r.failed) != 1 ||
				!strings.Contains(r.messages["load.burst"], "lost (acked, never recorded): call_mvh_") ||
				!strings.Contains(r.messages["load.burst"], "no new record of any key for 3s")):
				t.Errorf("want load.burst failed naming lost keys once records stalled for --settle; exit %d, failed %v, message %q\n%s",
					r.exit, r.failed, r.messages["load.burst"], r.stderr)
			}
		})
	}
}
