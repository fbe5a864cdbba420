package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"sync"
	"testing"
)

// callIDs matches the call IDs the checks make, fresh in every run.
var callIDs = regexp.MustCompile(`call_mvh_[0-9a-f]{16}`)

// TestSeedRepeatsGeneratedPayloads: two runs of input.generated with one
// --seed send the same bytes but for the call IDs, which differ; another
// seed sends other bytes.
func TestSeedRepeatsGeneratedPayloads(t *testing.T) {
	const secret = "whsec_seed_cmd_test"
	run := func(seed string) (bodies, ids []string) {
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			ids = append(ids, callIDs.FindString(string(b)))
			bodies = append(bodies, callIDs.ReplaceAllString(string(b), "call_ID"))
		}))
		defer srv.Close()
		// A process per run, as users run it.
		cmd := exec.CommandContext(t.Context(), mvhBinary(t), "conform", "--url", srv.URL+"/hook", "--secret", secret,
			"--only", "input.generated", "--cases", "3", "--seed", seed)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &errb, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("seed %s: %v\n%s", seed, err, errb.String())
		}
		if !bytes.Contains(errb.Bytes(), []byte("seed: "+seed)) {
			t.Errorf("seed %s: the terminal output does not print it:\n%s", seed, errb.String())
		}
		return bodies, ids
	}
	first, firstIDs := run("424242")
	again, againIDs := run("424242")
	other, _ := run("434343")
	if len(first) < 18 || !slices.Equal(first, again) {
		t.Fatalf("seed 424242 twice: %d and %d bodies, equal %v; want the same 18 or more", len(first), len(again), slices.Equal(first, again))
	}
	if slices.Equal(first, other) {
		t.Errorf("seeds 424242 and 434343 sent the same bodies")
	}
	for i := range firstIDs {
		if firstIDs[i] == againIDs[i] {
			t.Errorf("delivery %d: call ID %s in both runs, want a fresh one", i, firstIDs[i])
		}
	}
}
