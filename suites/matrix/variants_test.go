package matrix

import (
	"os"
	"strings"
	"testing"
	"time"
)

// variants are correct receivers that differ from the reference in ways
// the catalogue must accept; each must pass every check with --strict.
// flags are added to faulty's command line (receivers/faulty --variant,
// the reference's own store and outbox underneath, --db under
// {state_dir} so the crash checks pass too); proxy names an in-test
// stand-in (see variant_test.go) for a difference faulty has no variant
// of, the test binary being the receiver then.
var variants = []struct {
	name, flags, proxy, why string
	env                     []string
}{
	{"shed-429", "--variant shed-429", "", "answers 429 with Retry-After: 1 beyond 12 deliveries in flight", nil},
	{"no-body-204", "--variant no-body-204", "", "answers 204 with no body instead of 200 {\"ok\":true}", nil},
	{"close-connection", "--variant close-connection", "", "answers every request with Connection: close", nil},
	{"slow-forward", "--variant slow-forward --forward-delay 200ms", "", "forwards one record at a time, each 0-200 ms, fixed per key", nil},
	// faulty sheds by deliveries in flight only; a rate limit sheds a
	// receiver that is never busy, so it stays a proxy.
	{"rate-limit", "", "rate-limit", "answers 429 with Retry-After: 1 above 20 deliveries a second", []string{"MVH_VARIANT_LIMIT=20"}},
	// faulty's router is the reference's (405 to a GET); a POST-only router
	// answering 404 stays a proxy.
	{"get-404", "", "get-404", "a router that knows only POST: 404 to a GET of the webhook path", nil},
}

// slowBurstFlags make faulty a correct variant that load.burst alone must
// pass although its records take over 30 s to arrive. Its counterpart, a
// receiver that answers 2xx and forgets, is the lossy-queue defect row
// (see defects), whose load.burst must name the lost keys.
const slowBurstFlags = "--variant slow-forward --forward-delay 1s"

// slowBurst is less than a one-at-a-time forwarder taking 0-1 s per
// record, fixed per key, needs for the 80 distinct events of a
// 100-delivery burst: 40 s expected, 2.6 s its standard deviation.
const slowBurst = 30 * time.Second

// variantJobs are the conformance runs of the variants and burst rows.
func variantJobs(t *testing.T, b binaries) []job {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	jobs := []job{{name: "burst-slow-forward-30s", args: []string{"--only", "load.burst", "--strict", "--cmd", b.receiver("faulty", "") + " " + slowBurstFlags}}}
	for _, v := range variants {
		args := []string{"--strict", "--cmd", b.receiver("faulty", "") + " " + v.flags}
		if v.proxy != "" {
			args = []string{"--strict", "--cmd", self, "--env", "MVH_SECRET={secret}", "--env", "DOWNSTREAM_URL={sink_url}",
				"--env", "MVH_VARIANT=" + v.proxy}
		}
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
	t.Run("variant-shed-429/load.burst-retried", func(t *testing.T) {
		notes := strings.Join(results["variant-shed-429"].notes["load.burst"], "\n")
		if strings.Contains(notes, " 0 answers shed load") || !strings.Contains(notes, "answers shed load") {
			t.Errorf("load.burst against a shedding receiver shed nothing, so proves nothing:\n%s", notes)
		}
	})
	t.Run("burst-slow-forward-30s", func(t *testing.T) {
		r := results["burst-slow-forward-30s"]
		if r.exit != 0 || r.passed != 1 {
			t.Errorf("exit %d, failed %v: %s\n%s", r.exit, r.failed, r.messages["load.burst"], r.stderr)
		} else if r.duration < slowBurst {
			t.Errorf("the run took %s, less than the forwarding alone needs", r.duration)
		}
	})
	t.Run("burst-forget", func(t *testing.T) {
		msg := results["lossy-queue"].messages["load.burst"]
		if !strings.Contains(msg, "lost (acked, never recorded): call_mvh_") || !strings.Contains(msg, "no new record of any key for 3s") {
			t.Errorf("want lossy-queue's load.burst failed naming lost keys once records stalled for --settle; message %q", msg)
		}
	})
}
