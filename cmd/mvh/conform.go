package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/minivoice/mvh/reporters"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/harness"
)

func newConformCmd(a *app) *cobra.Command {
	cfg := &harness.Config{}
	cmd := &cobra.Command{
		Use:   "conform",
		Short: "Run the conformance catalogue against a webhook receiver (the CI gate)",
		Long: `conform runs the catalogue of MUST and SHOULD checks (mvh conform --list)
against a receiver: one already running (--url, with --secret), a command the
harness starts on a free loopback port (--cmd, placeholders {port} {secret}
{sink_url} {url}), or a container (--image, --dockerfile). Checks that need
the receiver's business records observe them through the harness sink (give
the receiver {sink_url} as its downstream, or pin it with --sink-addr) or
--inspect-url; without observation they are skipped, never passed.

Exit status: 0 when no MUST check failed (and no SHOULD check, with --strict),
1 when one did, 2 for bad flags (filters that select no check included) or a
receiver that never became ready or a run longer than --timeout (default 10m),
130 when Ctrl-C (SIGINT) or SIGTERM stopped the run. A run stopped either way
reports the running check interrupted, the rest not run, and writes the reports.`,
		Example: `  mvh conform --demo
  mvh conform --cmd "bin/reference --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url}"
  mvh conform --url http://127.0.0.1:8080/webhooks/minivoice --secret whsec_... --sink-addr 127.0.0.1:9000
  mvh conform --dockerfile receivers/reference --report-dir reports --strict
  mvh conform --list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runConform(cmd, a, *cfg) },
	}
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	cmd.Flags().AddGoFlagSet(fs)
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

func runConform(cmd *cobra.Command, a *app, cfg harness.Config) error {
	if cfg.List {
		return printCatalogue(a.stdout, cfg.JSON)
	}
	if cfg.Demo {
		if err := demoTarget(cmd, &cfg); err != nil {
			return err
		}
	}
	if cfg.Secret == "" && cfg.Started() {
		cfg.Secret = harness.NewSecret() // known up front, so every output can scrub it
		if !cfg.Demo {
			fmt.Fprintf(a.stderr, "mvh conform: this run's webhook secret (for the reproductions' MVH_SECRET; never written to reports): %s\n", cfg.Secret)
		}
	} else if cfg.Secret != "" && len(cfg.Secret) < minScrubbable {
		fmt.Fprintf(a.stderr, "mvh conform: warning: --secret is %d bytes; below %d, masking it in receiver output and messages may also mask ordinary text\n", len(cfg.Secret), minScrubbable)
	}
	s, err := a.spec(cmd.Context())
	if err != nil {
		return err
	}
	for _, out := range []struct{ flag, dir string }{{"--report-dir", cfg.ReportDir}, {"--save-fixtures", cfg.SaveFixtures}} {
		if err := checkOutputDir(out.flag, out.dir); err != nil {
			return err
		}
	}
	progress := a.stdout
	if cfg.JSON {
		progress = a.stderr
	}
	term := reporters.NewTerminal(progress, reporters.TerminalOptions{
		Color: reporters.ColorFor(progress), Quiet: cfg.Quiet, Strict: cfg.Strict,
		Redact: []string{cfg.Secret}, Keep: typed(cfg, suites.Session{}),
	})
	defer quietTestcontainers(a.logger)()
	var session suites.Session
	opts := []suites.Option{suites.WithSpec(s), suites.WithLogger(a.logger), suites.WithSession(&session),
		suites.OnCheck(term.Check), suites.WithGinkgoOutput(io.Discard)}
	if !cfg.JSON { // machines read stdout then; nothing extra on stderr either
		live := newLiveLine(a.stderr)
		defer live.Clear()
		opts = append(opts, suites.OnStart(live.Show),
			suites.OnCheck(func(sr types.SpecReport) { live.Clear(); term.Check(sr) }))
	}
	rep, err := suites.Run(cmd.Context(), cfg, opts...)
	stopped := cmd.Context().Err() != nil
	if err != nil && stopped {
		return interrupted(fmt.Errorf("interrupted before the checks ran: %w", scrub(err, cfg)))
	}
	if err != nil {
		return usage(scrub(err, cfg))
	}
	run := reportRun(cmd, cfg, s, session)
	paths, err := writeReports(a, cfg, rep, run)
	term.Summary(rep, run, paths)
	if err != nil {
		return usage(scrub(err, cfg))
	}
	if stopped {
		return interrupted(errSilent) // the summary says which check was interrupted
	}
	if slices.Contains(rep.SpecialSuiteFailureReasons, reporters.GinkgoTimedOut) {
		return usagef("the run took longer than --timeout %s: the running check is reported interrupted, the rest not run", cfg.Timeout)
	}
	if !catalogue.Verdict(rep, cfg.Strict).Pass {
		return silentFailure
	}
	return nil
}

// quietTestcontainers routes testcontainers' process-wide logger, which
// prints a "Connected to docker" banner to stderr on its first connection,
// through l at debug level (shown with --verbose) for the length of a run;
// the returned func restores the previous logger.
func quietTestcontainers(l *slog.Logger) (restore func()) {
	prev := tclog.Default()
	tclog.SetDefault(container.TestcontainersLogger(l))
	return func() { tclog.SetDefault(prev) }
}

// scrubbedError is an error whose message has the run's secret masked, for
// a --cmd or --url that spells the secret out; errors.Is still sees through.
type scrubbedError struct {
	err error
	msg string
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }

// scrub masks the run's secret in err's message, leaving what the user
// typed as something else whole.
func scrub(err error, cfg harness.Config) error {
	msg := reporters.Scrub(err.Error(), []string{cfg.Secret}, typed(cfg, suites.Session{}))
	if msg == err.Error() {
		return err
	}
	return scrubbedError{err: err, msg: msg}
}

// minScrubbable is the shortest secret conform masks without a warning: a
// shorter one ("minivoice", "x") is likely to occur in ordinary text.
const minScrubbable = 16

// typed lists what the user typed as something other than the secret
// (target, paths, other flags) and the URL the run derived from them:
// reports print these whole even where the secret occurs inside.
func typed(cfg harness.Config, session suites.Session) []string {
	out := []string{cfg.URL, session.ReceiverURL, session.SinkURL, cfg.Path, cfg.Image, cfg.Dockerfile,
		cfg.SinkAddr, cfg.SinkKey, cfg.InspectURL, cfg.InspectKey, cfg.ReportDir, cfg.SaveFixtures, cfg.Level}
	return append(append(out, cfg.Only...), cfg.Skip...)
}

// writeReports writes --report-dir and --save-fixtures and prints --json.
func writeReports(a *app, cfg harness.Config, rep types.Report, run reporters.Run) ([]string, error) {
	var paths []string
	if cfg.ReportDir != "" {
		written, err := reporters.WriteDir(cfg.ReportDir, rep, run)
		paths = append(paths, written...)
		if err != nil {
			return paths, err
		}
	}
	if cfg.SaveFixtures != "" {
		saved, err := reporters.SaveFixtures(cfg.SaveFixtures, rep, run)
		paths = append(paths, saved...)
		if err != nil {
			return paths, err
		}
	}
	if cfg.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reporters.JSON(rep, run)); err != nil {
			return paths, fmt.Errorf("--json: %w", err)
		}
	}
	return paths, nil
}

// reportRun describes the run for the reports.
func reportRun(cmd *cobra.Command, cfg harness.Config, s *spec.Spec, session suites.Session) reporters.Run {
	return reporters.Run{
		Target: session.Target, ReceiverURL: session.ReceiverURL, Observation: observation(session.Observation),
		HarnessVersion: harnessVersion(), Seed: session.Seed, SpecTitle: s.Title(), SpecVersion: s.Version(),
		Strict: cfg.Strict, Command: commandLine(cmd), ReceiverLogs: session.Logs,
		Redact: []string{cfg.Secret, session.Secret}, Keep: typed(cfg, session),
	}
}

// commandLine rebuilds the `mvh conform ...` invocation from the flags set.
func commandLine(cmd *cobra.Command) string {
	parts := []string{"mvh", "conform"}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+f.Name+"="+shellQuote(v))
			}
			return
		}
		parts = append(parts, "--"+f.Name+"="+shellQuote(f.Value.String()))
	})
	return strings.Join(parts, " ")
}

// demoTarget points the run at the bundled reference receiver: this very
// binary re-executed with the hidden reference-receiver command, so the
// demo needs no Go toolchain and nothing but mvh.
func demoTarget(cmd *cobra.Command, cfg *harness.Config) error {
	if cfg.URL != "" || cfg.Cmd != "" || cfg.Image != "" || cfg.Dockerfile != "" {
		return usagef("--demo: starts the bundled reference receiver; drop --url, --cmd, --image and --dockerfile")
	}
	if sub, _, err := cmd.Root().Find([]string{"reference-receiver"}); err != nil || sub.Name() != "reference-receiver" {
		return usagef("--demo: this mvh has no bundled reference receiver")
	}
	exe, err := os.Executable()
	if err != nil {
		return usagef("--demo: locate mvh: %w", err)
	}
	cfg.Cmd = shellQuote(exe) + " reference-receiver --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url} --db {state_dir}/events.db --path " + shellQuote(cfg.Path)
	return nil
}

// shellQuote quotes s for /bin/sh only when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`|&;<>()*?[]#~{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printCatalogue is --list: a table, or the checks as JSON.
func printCatalogue(w io.Writer, asJSON bool) error {
	cat, err := catalogue.Load()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cat.Checks())
	}
	fmt.Fprintf(w, "%-34s %-6s %-11s %s\n", "ID", "LEVEL", "OBSERVATION", "TITLE")
	for _, c := range cat.Checks() {
		obs := "-"
		if c.Observation {
			obs = "needed"
		}
		fmt.Fprintf(w, "%-34s %-6s %-11s %s\n", c.ID, c.Level, obs, c.Title)
	}
	return nil
}

// observation names the run's observer for the reports: "none" when the
// checks could not see the receiver's records.
func observation(kind string) string {
	if kind == "" {
		return "none"
	}
	return kind
}
