// Command faulty is a MiniVoice webhook receiver with one deliberate,
// realistic bug, chosen with --defect NAME (env DEFECT). It exists to prove
// the conformance suites: each defect must fail the check written for it,
// and without a defect the receiver must pass everything, like
// receivers/reference. It is the reference receiver's own plumbing
// (receivers/reference/receiver) with one step replaced: verify, parse,
// store, forward or answer. Every defect is deterministic, so a matrix test
// can assert the exact set of failing checks. README.md lists the defects.
//
// Usage:
//
//	faulty --secret whsec_... [--defect NAME] [reference flags]
//
// Do not copy this receiver; copy receivers/reference.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

func main() { receiver.Main(run) }

// Config is the reference receiver's configuration plus the defect to
// exhibit, or the correct variant to be.
type Config struct {
	receiver.Config
	Defect       string
	Variant      string
	ForwardDelay time.Duration // slow-forward's longest delay per record
}

// RegisterFlags binds the reference's flags, --defect and --variant to c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.Config.RegisterFlags(fs)
	fs.StringVar(&c.Defect, "defect", "", "the bug to exhibit (default $DEFECT; none: behave correctly)")
	fs.StringVar(&c.Variant, "variant", "", "a correct difference from the reference to exhibit (default $VARIANT; see README)")
	fs.DurationVar(&c.ForwardDelay, "forward-delay", 2*time.Second, "with --variant slow-forward: the longest a record's forward takes")
}

// parseConfig reads flags, then the environment for flags not given.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("faulty", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := c.Parse(fs, args, getenv, out); err != nil {
		return c, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if v := getenv("DEFECT"); v != "" && !given["defect"] {
		c.Defect = v
	}
	if v := getenv("VARIANT"); v != "" && !given["variant"] {
		c.Variant = v
	}
	switch {
	case c.Defect != "" && c.Variant != "":
		return c, fmt.Errorf("defect %q and variant %q: choose one", c.Defect, c.Variant)
	case c.ForwardDelay < 0:
		return c, fmt.Errorf("forward-delay %s: negative", c.ForwardDelay)
	}
	return c, errors.Join(checkDefect(c.Defect), checkVariant(c.Variant))
}

// run is main without process globals, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	return runWith(ctx, args, getenv, stderr, os.Exit)
}

// runWith is run with the exit that crash-on-oversized calls.
func runWith(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, exit func(int)) int {
	cfg, err := parseConfig(args, getenv, stderr)
	logger := slog.New(slog.NewTextHandler(stderr, nil)).With("defect", cfg.Defect, "variant", cfg.Variant)
	opts := options(cfg, logger, exit)
	if cfg.Variant != "" {
		opts = variantOptions(cfg)
	}
	return receiver.Exit("faulty", err, stderr, logger, func() error {
		return receiver.Serve(ctx, cfg.Config, logger, opts)
	})
}
