package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// matrixFlags shorten the waits without changing what the checks mean:
// records still get 3 s to appear (the reference needs milliseconds), the
// slow downstream still takes twice the 1 s ack budget, and the burst
// still has 20 % duplicates, half of them concurrent, 20 in flight.
var matrixFlags = []string{"--settle", "3s", "--slow-downstream", "2s", "--burst", "100", "--cases", "4"}

// runTimeout bounds one conformance run; slow-ack, the slowest (1.5 s
// before every answer), needs about 4 minutes with the generated-input
// and crash checks.
const runTimeout = 5 * time.Minute

// binaries are the statically built programs under test.
type binaries struct{ dir string }

func (b binaries) path(name string) string { return filepath.Join(b.dir, name) }

// receiver is the --cmd of a bundled receiver, with a defect for faulty.
func (b binaries) receiver(name, defect string) string {
	cmd := b.path(name) + " --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url} --db {state_dir}/events.db"
	if defect != "" {
		cmd += " --defect " + defect
	}
	return cmd
}

// buildBinaries builds mvh and both receivers the way `make build` does
// (CGO_ENABLED=0), in one go command so they share the work.
func buildBinaries(t testing.TB) binaries {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"../../cmd/mvh", "../../receivers/reference", "../../receivers/faulty")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return binaries{dir: dir}
}

// job is one conformance run: its target flags.
type job struct {
	name string
	args []string
}

// cmdJob targets a command.
func cmdJob(name, cmd string) job { return job{name: name, args: []string{"--cmd", cmd}} }

// result is what a run printed and how it exited.
type result struct {
	exit           int
	failed         []string
	passed         int
	skipped        int
	levels         map[string]string // check ID -> level, every check in the report
	skips          map[string]string // check ID -> skip reason
	messages       map[string]string // check ID -> failure message
	notes          map[string][]string
	stderr         string
	duration       time.Duration
	verdict, error string
}

// runAll runs jobs, limit at a time, in the order given.
func runAll(t testing.TB, b binaries, jobs []job, limit int) map[string]result {
	t.Helper()
	var mu sync.Mutex
	out := make(map[string]result, len(jobs))
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			r := conform(b, j)
			mu.Lock()
			out[j.name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		t.Logf("%-28s exit %d in %5.1fs, failed %v", j.name, out[j.name].exit, out[j.name].duration.Seconds(), out[j.name].failed)
	}
	return out
}

// conform runs `mvh conform --json` with the matrix flags.
func conform(b binaries, j job) result {
	return mvhConform(b, append(append([]string{"--json"}, matrixFlags...), j.args...))
}

// conformDefaults runs `mvh conform --json --strict` with default waits.
func conformDefaults(b binaries, j job) result {
	return mvhConform(b, append([]string{"--json", "--strict"}, j.args...))
}

// mvhConform runs `mvh conform args...` and reads its JSON report.
func mvhConform(b binaries, args []string) result {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.path("mvh"), append([]string{"conform"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stderr: stderr.String(), duration: time.Since(start), levels: map[string]string{}, skips: map[string]string{},
		messages: map[string]string{}, notes: map[string][]string{}}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
	case err != nil:
		r.exit, r.error = -1, err.Error()
	}
	var doc struct {
		Verdict string `json:"verdict"`
		Checks  []struct {
			ID       string `json:"id"`
			Level    string `json:"level"`
			Status   string `json:"status"`
			Skip     string `json:"skip_reason"`
			Message  string `json:"failure"`
			Evidence struct {
				Notes []string `json:"notes"`
			} `json:"evidence"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		r.stderr += "\nreport: " + err.Error()
		return r
	}
	r.verdict = doc.Verdict
	for _, c := range doc.Checks {
		r.levels[c.ID] = c.Level
		r.messages[c.ID], r.notes[c.ID] = c.Message, c.Evidence.Notes
		switch c.Status {
		case "failed":
			r.failed = append(r.failed, c.ID)
		case "passed":
			r.passed++
		case "skipped":
			r.skipped++
			r.skips[c.ID] = c.Skip
		}
	}
	return r
}
