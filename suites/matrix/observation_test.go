package matrix

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// observed are the checks these runs select: two that need observation
// (MUST) and one that does not.
const observed = "ack.valid-delivery,idempotency.redelivery,signature.rejected-not-recorded"

// observationVerdicts: a run that cannot see the receiver's records says
// so on its verdict line and passes only without --require-observation; a
// sink (or a query) that saw nothing makes the failures say so; --no-sink
// turns those failures back into skips; a SQLite file in {state_dir} is
// observed end to end.
func observationVerdicts(t *testing.T, bins binaries) {
	silent := bins.path("reference") + " --addr 127.0.0.1:{port} --secret {secret} --no-forward"
	for _, c := range []struct {
		name  string
		args  []string
		exit  int
		wants []string
	}{
		{"no observer", nil, 0, []string{"PASS (2 MUST checks skipped: no observation)"}},
		{"required", []string{"--require-observation"}, 1, []string{
			"FAIL: 2 MUST checks failed", "no observation (--require-observation)"}},
		{"silent sink", []string{"--env", "DOWNSTREAM_URL={sink_url}", "--json"}, 1, []string{
			`"verdict": "fail"`, "the sink received nothing at all during this run", "DOWNSTREAM_URL", "--inspect-sql DSN"}},
		{"no sink", []string{"--env", "DOWNSTREAM_URL={sink_url}", "--no-sink"}, 0, []string{
			"PASS (2 MUST checks skipped: no observation)"}},
		{"sqlite in state_dir", []string{"--cmd", silent + " --db {state_dir}/events.db", "--require-observation",
			"--inspect-sql", "sqlite:{state_dir}/events.db", "--inspect-query", recordsQuery}, 0, []string{
			"PASS: every blocking check passed"}},
		{"sql reads nothing", []string{"--cmd", silent + " --db {state_dir}/events.db", "--json",
			"--inspect-sql", "sqlite:{state_dir}/events.db", "--inspect-query", recordsQuery + " WHERE event = 'no such event'"}, 1, []string{
			"the sql observer saw no record at all during this run"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"conform", "--settle", "2s", "--only", observed, "--cmd", silent}, c.args...)
			exit, out := runMVH(t, bins, args...)
			if exit != c.exit {
				t.Errorf("exit %d, want %d\n%s", exit, c.exit, out)
			}
			for _, want := range c.wants {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// runMVH runs mvh and returns its exit status and what it printed.
func runMVH(t *testing.T, b binaries, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, b.path("mvh"), args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String()
	case err != nil:
		t.Fatalf("mvh: %v", err)
	}
	return 0, out.String()
}
