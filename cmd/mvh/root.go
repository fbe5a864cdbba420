package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/spec"
)

// version is set by the Makefile's -ldflags; when it is not, harnessVersion
// reads the build information instead.
var version = "dev"

// app is what every command shares: its streams, its logger and the contract.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logger         *slog.Logger
	specPath       string
	verbose        bool
	// getenv reads the environment (os.Getenv); flags marked with fromEnv
	// take their value from it when not given.
	getenv func(string) string
}

// spec loads the contract named by --spec, or the embedded one.
func (a *app) spec(ctx context.Context) (*spec.Spec, error) {
	s, err := spec.Load(ctx, a.specPath)
	if err != nil {
		return nil, usage(err)
	}
	return s, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRoot(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && err.Error() != "" {
		fmt.Fprintf(stderr, "mvh: %s\n", oneLine(err.Error()))
	}
	return exitCode(err)
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "mvh",
		Short:         "The MiniVoice webhook harness: contract, mock sender, conformance suites, fixtures",
		Version:       harnessVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelWarn
			if a.verbose {
				level = slog.LevelDebug
			}
			a.logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
			return applyEnv(cmd, a.getenv)
		},
	}
	root.PersistentFlags().StringVar(&a.specPath, "spec", "", "contract file (default: the embedded minivoice-webhooks.yaml)")
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "log debug detail to stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	root.AddCommand(
		newSpecCmd(a),
		newSignCmd(a),
		newVerifyCmd(a),
		newFixturesCmd(a),
		newMockCmd(a),
		newListenCmd(a),
		newSendCmd(a),
		newReferenceCmd(a),
		newConformCmd(a),
		newReportCmd(a),
		newLoadCmd(a),
		newSinkCmd(a),
	)
	for _, c := range root.Commands() {
		markUsageErrors(c)
	}
	return root
}

// asGroup makes a command that only groups subcommands runnable, so an
// unknown subcommand is bad input (exit 2) rather than a silent help page.
func asGroup(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	return cmd
}

// checkSecrets refuses an empty --secret: an HMAC keyed with nothing signs
// (or verifies) anything, which is never what the user meant.
func checkSecrets(secrets []string) error {
	for i, s := range secrets {
		if s == "" {
			return usagef("--secret #%d: empty", i+1)
		}
	}
	return nil
}

// markUsageErrors makes argument-count and flag errors of every subcommand
// exit 2, like the root's.
func markUsageErrors(c *cobra.Command) {
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	if c.Args != nil {
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return usage(err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsageErrors(sub)
	}
}

// oneLine keeps error output to a single line, whatever a library wrapped in.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
