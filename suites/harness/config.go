// Package harness sets a conformance run up around the checks: the run's
// configuration and its flags (one struct shared by `mvh conform` and
// `go test ./suites`), the target the flags name, the sink, the container
// wiring, the observers (the SQL one links the database drivers) and the
// output settings. It hands the checks only framework.Env and
// framework.Config, so check packages link none of it.
package harness

import (
	"flag"
	"github.com/minivoice/mvh/delivery"
	"time"

	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/target"
)

// DefaultTimeout bounds a run: the catalogue takes well under a minute
// against a correct receiver, and minutes only against a slow one.
const DefaultTimeout = 10 * time.Minute

// Config is one conformance run. RegisterFlags binds it to a flag set, so
// the CLI (through pflag's AddGoFlagSet) and `go test ./suites -args ...`
// accept the same flags.
type Config struct {
	// Target: exactly one of URL, Cmd, Image, Dockerfile (or Demo, which
	// the caller turns into a Cmd).
	URL, Cmd string
	// RestartCmd and CrashCmd restart a --url receiver for the crash checks.
	RestartCmd, CrashCmd string
	Env                  []string
	Path                 string
	ReadyTimeout         time.Duration
	Image, Dockerfile    string
	ContainerPort        int

	// Observation: how the checks see the receiver's records.
	Observation

	Secret string
	// TLS is how an https:// receiver's certificate is trusted.
	TLS delivery.TLS

	// Selection and verdict.
	Only, Skip []string
	Level      string
	Strict     bool

	// Knobs of the checks.
	Settle, AckBudget, SlowDownstream time.Duration
	// Timeout bounds the whole run: when it elapses the running check is
	// reported interrupted, the rest not run, and the reports are written.
	Timeout time.Duration
	// SettleMax bounds a wait for records that still arrive: a check
	// waits while a new record came within the last Settle.
	SettleMax time.Duration
	Burst     int
	// Seed makes input.generated's payloads (0: the run picks one; the
	// reports print it so a run can be repeated); Cases is how many per
	// event.
	Seed  int64
	Cases int

	// Output; acted on by the CLI.
	ReportDir, SaveFixtures string
	JSON, List, Demo, Quiet bool
}

// RegisterFlags binds every field to fs with its default.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "url", "", "webhook URL of a receiver that runs already (waited for up to --ready-timeout)")
	fs.StringVar(&c.Cmd, "cmd", "", "command that starts the receiver; placeholders {port} {secret} {sink_url} {url} {state_dir}")
	fs.StringVar(&c.RestartCmd, "restart-cmd", "", "command that restarts a --url receiver gracefully, for the durability checks; placeholders {url} {secret} {sink_url}")
	fs.StringVar(&c.CrashCmd, "crash-cmd", "", "command that kills and restarts a --url receiver (default: --restart-cmd)")
	fs.Var((*listFlag)(&c.Env), "env", "set `KEY=VALUE` in the started receiver's environment (repeatable; same placeholders)")
	fs.StringVar(&c.Path, "path", target.DefaultPath, "webhook path of a started receiver")
	fs.DurationVar(&c.ReadyTimeout, "ready-timeout", target.DefaultReadyTimeout, "how long the receiver may take to accept connections")
	fs.StringVar(&c.Image, "image", "", "container image of the receiver")
	fs.StringVar(&c.Dockerfile, "dockerfile", "", "directory with a Dockerfile that builds the receiver")
	fs.IntVar(&c.ContainerPort, "container-port", 8080, "port the receiver listens on inside its container")
	c.Observation.registerFlags(fs)
	c.TLS.RegisterFlags(fs)
	fs.StringVar(&c.Secret, "secret", "", "webhook secret (generated when the harness starts the receiver)")
	fs.Var(&commaList{&c.Only}, "only", "run only these check `IDs` (comma-separated, repeatable)")
	fs.Var(&commaList{&c.Skip}, "skip", "leave out these check `IDs` (comma-separated, repeatable)")
	fs.StringVar(&c.Level, "level", "should", "lowest level to run: must (MUST checks only) or should (all)")
	fs.BoolVar(&c.Strict, "strict", false, "fail the run on a failed SHOULD check too")
	fs.DurationVar(&c.Settle, "settle", framework.DefaultSettle, "how long a receiver may go without a new record before a check stops waiting for records")
	fs.DurationVar(&c.Timeout, "timeout", DefaultTimeout, "bound on the whole run: the running check is reported interrupted, the rest not run, the reports written, exit 2")
	fs.DurationVar(&c.SettleMax, "settle-max", framework.DefaultSettleMax, "how long a check waits for records in all while they still arrive")
	fs.DurationVar(&c.AckBudget, "ack-budget", framework.DefaultAckBudget, "p95 time to 2xx a receiver should stay within")
	fs.DurationVar(&c.SlowDownstream, "slow-downstream", framework.DefaultSlowDownstream, "per-record delay of the sink in ack.slow-downstream")
	fs.IntVar(&c.Burst, "burst", framework.DefaultBurst, "deliveries of load.burst")
	fs.Int64Var(&c.Seed, "seed", 0, "seed of input.generated's payloads; 0 picks one, and every report prints it")
	fs.IntVar(&c.Cases, "cases", framework.DefaultCases, "generated deliveries per event of input.generated")
	fs.StringVar(&c.ReportDir, "report-dir", "", "write report.json (and the other reports) into this directory")
	fs.StringVar(&c.SaveFixtures, "save-fixtures", "", "save failing checks' requests as fixtures into this directory")
	fs.BoolVar(&c.JSON, "json", false, "print the report as JSON on stdout")
	fs.BoolVar(&c.List, "list", false, "print the catalogue of checks and exit")
	fs.BoolVar(&c.Demo, "demo", false, "run the whole catalogue against the bundled reference receiver")
	fs.BoolVar(&c.Quiet, "quiet", false, "print only failing checks and the summary")
}

// Knobs is the part of c the checks read (framework.Config).
func (c Config) Knobs() framework.Config {
	return framework.Config{Settle: c.Settle, SettleMax: c.SettleMax, AckBudget: c.AckBudget,
		SlowDownstream: c.SlowDownstream, Burst: c.Burst, Require: c.Require, SinkKey: c.SinkKey,
		Seed: c.Seed, Cases: c.Cases}
}

// Started reports whether the harness starts the receiver (and so picks
// the secret and may hand it a sink).
func (c Config) Started() bool { return c.Cmd != "" || c.Image != "" || c.Dockerfile != "" }
