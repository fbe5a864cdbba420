package suites_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	// Importing ginkgo here also makes `ginkgo run ./suites -- ...` treat
	// this package as a Ginkgo suite and pass the flags after -- through.
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/reporters"
	"github.com/minivoice/mvh/suites"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/harness"
)

// cfg is filled from `go test ./suites -args --cmd ... ` (or the flags
// after `ginkgo run ./suites --`); with no target flag the suite tests
// itself against the bundled reference receiver.
var cfg harness.Config

func init() { cfg.RegisterFlags(flag.CommandLine) }

// TestConformance runs the catalogue. Against the reference receiver every
// check must pass, SHOULDs included; against a target of yours, the verdict
// decides (MUST failures, or SHOULD ones with --strict).
func TestConformance(t *testing.T) {
	if sc, _ := ginkgo.GinkgoConfiguration(); sc.LabelFilter != "" {
		t.Logf("--ginkgo.label-filter %q narrows the checks the flags select", sc.LabelFilter)
	}
	run, self := cfg, cfg.URL == "" && cfg.Cmd == "" && cfg.Image == "" && cfg.Dockerfile == ""
	if self {
		run.Cmd = buildReference(t) + " --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url} --db {state_dir}/events.db"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var session suites.Session
	rep, err := suites.Run(ctx, run, suites.WithSession(&session))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	verdict := catalogue.Verdict(rep, run.Strict || self)
	for _, sr := range rep.SpecReports {
		if catalogue.IsCheck(sr) && catalogue.StatusOf(sr) == catalogue.Failed {
			t.Logf("%s failed: %s", sr.LeafNodeText, sr.FailureMessage())
		}
	}
	if !verdict.Pass {
		t.Errorf("verdict: fail (failed %v, suite errors %v); receiver output:\n%s", verdict.Failed, verdict.SuiteErrors, tail(session.Logs))
	}
	if self {
		expectAllPassed(t, rep, run.LabelFilter() == "")
	}
	writeReports(t, run, rep, session)
}

// writeReports honours --report-dir and --save-fixtures, as mvh conform
// does; the other output flags belong to the CLI.
func writeReports(t *testing.T, run harness.Config, rep types.Report, session suites.Session) {
	t.Helper()
	info := reporters.Run{Target: session.Target, ReceiverURL: session.ReceiverURL, Strict: run.Strict,
		Command: "go test ./suites", Seed: session.Seed, ReceiverLogs: session.Logs, Redact: []string{session.Secret}}
	if run.ReportDir != "" {
		paths, err := reporters.WriteDir(run.ReportDir, rep, info)
		t.Logf("reports %v", paths)
		if err != nil {
			t.Error(err)
		}
	}
	if run.SaveFixtures != "" {
		paths, err := reporters.SaveFixtures(run.SaveFixtures, rep, info)
		t.Logf("fixtures %v", paths)
		if err != nil {
			t.Error(err)
		}
	}
}

// buildReference compiles receivers/reference into a temporary directory.
func buildReference(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reference")
	cmd := exec.Command("go", "build", "-o", bin, "../receivers/reference")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build reference: %v\n%s", err, out)
	}
	return bin
}

func tail(b []byte) string {
	const n = 4 << 10
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
