package matrix

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// TestRepeatReference runs the whole catalogue MVH_REPEAT times in a row
// against the reference receiver with the default flags (no shortened
// waits) and --strict: no run may fail a single check. It measures the
// figure the README quotes and is left out of `make test`:
//
//	MVH_REPEAT=20 go test -run TestRepeatReference -v -timeout 30m ./suites/matrix
func TestRepeatReference(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MVH_REPEAT"))
	if n <= 0 {
		t.Skip("set MVH_REPEAT=N to run the catalogue N times against the reference")
	}
	bins := buildBinaries(t)
	var total time.Duration
	for i := range n {
		r := conformDefaults(bins, cmdJob("reference", bins.receiver("reference", "")))
		total += r.duration
		t.Logf("run %2d: %5.1fs, %d passed, failed %v", i+1, r.duration.Seconds(), r.passed, r.failed)
		if r.exit != 0 || len(r.failed) != 0 || r.skipped != 0 || r.passed != len(r.levels) {
			t.Errorf("run %d: exit %d, failed %v, skipped %d\n%s", i+1, r.exit, r.failed, r.skipped, r.stderr)
		}
	}
	t.Logf("%d runs in %s, %.1fs per run", n, total.Round(time.Second), total.Seconds()/float64(n))
}
