package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/loadgen"
	"github.com/minivoice/mvh/redelivery"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/harness"
)

// sharedWithConform says which flags of mvh conform mvh load shares: the
// target, its observation (every --inspect-* too), --settle, --settle-max
// and --json; the rest (selection, verdict, check knobs) are the checks'.
func sharedWithConform(name string) bool {
	return strings.HasPrefix(name, "inspect-") || slices.Contains([]string{"url", "cmd", "env", "path", "ready-timeout",
		"image", "dockerfile", "container-port", "sink-key", "sink-addr", "no-sink", "require-observation",
		"secret", "settle", "settle-max", "json", "demo", "ca-file", "insecure-skip-verify"}, name)
}

// loadUsage rewords the shared flags whose conform help speaks of checks.
var loadUsage = map[string]string{
	"demo":                "load the bundled reference receiver",
	"json":                "print the result as JSON on stdout",
	"settle":              "how long the receiver may go without a new record before the accounting stops waiting",
	"settle-max":          "how long the accounting waits for records in all while they still arrive",
	"require-observation": "exit 2 when the receiver's records cannot be observed, instead of reporting the answers only",
}

// redeliverySpan is what the contract's retry schedule is compressed to
// for deliveries a receiver sheds.
const redeliverySpan = 10 * time.Second

// loadConfig is mvh load's own flags.
type loadConfig struct {
	Rate           rateFlag
	Workers        int
	Duration       time.Duration
	Events         string
	DupRatio       float64
	ConcurrentDups bool
	OutOfOrder     bool
	Output, HTML   string
}

// RegisterFlags binds every field to fs with its default.
func (c *loadConfig) RegisterFlags(fs *flag.FlagSet) {
	c.Rate = 50
	fs.Var(&c.Rate, "rate", "deliveries per second (open model), or max (closed model: --workers send back to back)")
	fs.IntVar(&c.Workers, "workers", 0, "workers of --rate max (default 64); bound on deliveries in flight otherwise (default 10000)")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to send")
	fs.StringVar(&c.Events, "events", "", "comma-separated mix of catalogue events each call gets (default: all of them)")
	fs.Float64Var(&c.DupRatio, "dup-ratio", 0, "share of events delivered twice (same bytes, signed again), 0 to 1")
	fs.BoolVar(&c.ConcurrentDups, "concurrent-dups", false, "send half of the copies at the same moment as their original")
	fs.BoolVar(&c.OutOfOrder, "out-of-order", false, "send each call's events in reverse order")
	fs.StringVar(&c.Output, "output", "", "write the raw result (histogram, keys sent and acked) to this `FILE`, for mvh load merge")
	fs.StringVar(&c.HTML, "html", "", "write a one-file HTML page of the run to `FILE`")
}

// rateFlag is --rate: a positive number or "max" (loadgen.Max).
type rateFlag int

func (r *rateFlag) String() string {
	if *r == loadgen.Max {
		return "max"
	}
	return strconv.Itoa(int(*r))
}

// Type names the value in --help.
func (r *rateFlag) Type() string { return "N|max" }

func (r *rateFlag) Set(s string) error {
	if s == "max" {
		*r = loadgen.Max
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a positive number of deliveries per second, or max")
	}
	*r = rateFlag(n)
	return nil
}

func newLoadCmd(a *app) *cobra.Command {
	cfg, lc := &harness.Config{}, &loadConfig{}
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Send a sustained signed, duplicate-laden stream and account for every record",
		Long: `load sends signed MiniVoice deliveries at a constant rate (--rate N: latency
counts from each delivery's intended send time, so a stalled receiver cannot
hide) or as fast as --workers can (--rate max), with --dup-ratio of the events
repeated (re-signed, half at the same moment with --concurrent-dups). Targets
and observation are those of mvh conform. With observation, every event is
accounted for: sent, acked, recorded exactly once, lost, duplicated, never
accepted, unexpected. 429 and 503 with Retry-After are shedding: redelivered.

Exit status: 0 when every acked event was recorded once and no 5xx came back
without shedding, 1 otherwise, 2 for bad flags or a receiver never ready.`,
		Example: `  mvh load --demo --rate 500 --duration 10s --dup-ratio 0.2 --concurrent-dups
  mvh load --cmd "bin/reference --addr 127.0.0.1:{port} --secret {secret} --downstream {sink_url}" --rate max --workers 32
  mvh load --url http://10.0.0.5:8080/webhooks/minivoice --secret whsec_... --rate 200 --output a.json
  mvh load merge a.json b.json sink.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLoad(cmd, a, *cfg, *lc) },
	}
	all := flag.NewFlagSet("conform", flag.ContinueOnError)
	cfg.RegisterFlags(all)
	shared := flag.NewFlagSet("load", flag.ContinueOnError)
	all.VisitAll(func(f *flag.Flag) {
		if sharedWithConform(f.Name) {
			usage := f.Usage
			if u, ok := loadUsage[f.Name]; ok {
				usage = u
			}
			shared.Var(f.Value, f.Name, usage)
		}
	})
	lc.RegisterFlags(shared)
	cmd.Flags().AddGoFlagSet(shared)
	cmd.AddCommand(newLoadMergeCmd(a))
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

func runLoad(cmd *cobra.Command, a *app, cfg harness.Config, lc loadConfig) error {
	cat, err := catalogue.Load()
	if err != nil {
		return err
	}
	if cfg.Demo {
		if err := demoTarget(cmd, &cfg); err != nil {
			return err
		}
	}
	if err := cfg.Validate(cat); err != nil {
		return usage(scrub(err, cfg))
	}
	s, err := a.spec(cmd.Context())
	if err != nil {
		return err
	}
	events, err := lc.events(s.EventNames())
	if err != nil {
		return usage(err)
	}
	if cfg.Secret == "" && cfg.Started() {
		cfg.Secret = harness.NewSecret()
	}
	bodies, err := loadgen.Bodies(s, events, time.Now())
	if err != nil {
		return usage(err)
	}
	o := loadgen.Options{Rate: int(lc.Rate), Workers: lc.Workers, Duration: lc.Duration, Events: events,
		DupRatio: lc.DupRatio, ConcurrentDups: lc.ConcurrentDups, OutOfOrder: lc.OutOfOrder, Body: bodies,
		AttemptTimeout: s.Retry().AttemptTimeout}
	if o.Rate != loadgen.Max && o.Workers == 0 {
		o.Workers = 10000
	}
	if err := o.Validate(); err != nil {
		return usage(err)
	}
	defer quietTestcontainers(a.logger)()
	env, err := harness.Open(cmd.Context(), cfg, a.logger)
	if err != nil {
		return usage(scrub(err, cfg))
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 30*time.Second)
		defer cancel()
		if err := env.Close(ctx); err != nil {
			a.logger.Warn("stop receiver", "err", err)
		}
	}()
	o.URL, o.Secret = env.Receiver.URL, env.Secret
	if o.Client, err = delivery.NewClient(delivery.ClientOptions{Conns: min(o.Workers, 1024), TLS: cfg.TLS}); err != nil {
		return usage(err)
	}
	// shed deliveries go again on the contract's offsets, compressed to
	// redeliverySpan past the end of sending
	o.Redelivery = redelivery.Compress(s.Retry(), redeliverySpan, o.Workers)
	o.Redelivery.Until = time.Now().Add(o.Duration + redeliverySpan)
	if cfg.Require && env.Observer == nil {
		return usagef("--require-observation: nothing observes the records: give the receiver {sink_url}, or --sink-addr, --inspect-url, --inspect-sql or --inspect-cmd")
	}
	return loadAndReport(cmd.Context(), a, cfg, lc, o, env.Observer)
}

// loadAndReport runs the load, accounts for the records and writes every
// output asked for.
func loadAndReport(ctx context.Context, a *app, cfg harness.Config, lc loadConfig, o loadgen.Options, obs loadgen.Counter) error {
	progress := newLoadProgress(a.stderr, o.Duration)
	o.Progress = progress.update
	res, err := loadgen.Run(ctx, o)
	progress.done()
	switch {
	case errors.Is(err, context.Canceled):
		// Ctrl-C: what was measured, unaccounted, then exit 130
		if rerr := report(a, res, cfg.JSON, lc.Output, lc.HTML); rerr != nil && !errors.Is(rerr, silentFailure) {
			return rerr
		}
		return interrupted(fmt.Errorf("load interrupted after %s: the figures above are partial and records were not counted",
			res.Elapsed.Round(time.Second)))
	case err != nil:
		return fmt.Errorf("load: %w", err)
	}
	if obs != nil {
		if err := loadgen.Account(ctx, res, obs, cfg.Settle, cfg.SettleMax); err != nil {
			if errors.Is(err, context.Canceled) {
				_ = report(a, res, cfg.JSON, lc.Output, lc.HTML)
				return interrupted(errors.New("load interrupted while counting records: the accounting above is missing"))
			}
			return fmt.Errorf("load: %w", err)
		}
	}
	return report(a, res, cfg.JSON, lc.Output, lc.HTML)
}

// events reads --events against the catalogue's event names.
func (c loadConfig) events(known []string) ([]string, error) {
	if strings.TrimSpace(c.Events) == "" {
		return known, nil
	}
	var out []string
	for _, ev := range strings.Split(c.Events, ",") {
		ev = strings.TrimSpace(ev)
		if !slices.Contains(known, ev) {
			return nil, fmt.Errorf("--events %s: not a catalogue event (mvh spec events lists them)", ev)
		}
		if !slices.Contains(out, ev) {
			out = append(out, ev)
		}
	}
	return out, nil
}
