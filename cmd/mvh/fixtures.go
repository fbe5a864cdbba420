package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
)

func newFixturesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fixtures",
		Short: "Generate signed request fixtures, or replay them against a live receiver",
		Long: `fixtures makes the signed, deterministic requests of fixtures/README.md: one
valid delivery per event of the contract plus the negative and edge cases
(missing, wrong, stale, future, rotated and unknown-scheme signatures, tampered,
malformed and empty bodies, unknown events and fields), each with the status
class a correct receiver answers (2xx or 4xx).`,
		Example: `  mvh fixtures generate --out testdata/minivoice
  mvh fixtures replay --dir testdata/minivoice --to http://127.0.0.1:8080 --secret whsec_minivoice_test`,
	}
	cmd.AddCommand(newFixturesGenerateCmd(a), newFixturesReplayCmd(a))
	return asGroup(cmd)
}

func newFixturesGenerateCmd(a *app) *cobra.Command {
	var (
		out  string
		opts fixtures.Options
	)
	cmd := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Write the fixtures of the contract as <name>.json files into a directory",
		Long: `generate writes one JSON file per fixture into --out (created if missing) and
prints the files written. Output is byte-identical for equal flags and contract:
the defaults reproduce the committed fixtures/minivoice/. Other *.json files in
--out are left alone. Every fixture expects the receiver's clock to read
request.now, which is --timestamp.`,
		Example: `  mvh fixtures generate --out testdata/minivoice
  mvh fixtures generate --out /tmp/fx --secret whsec_my_test_secret --timestamp 1700000000 --path /hooks/minivoice
  mvh --spec my-webhooks.yaml fixtures generate --out /tmp/fx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out: a directory is required")
			}
			if opts.Secret == "" {
				return usagef("--secret: empty; omit the flag for the published test secret")
			}
			s, err := a.spec(cmd.Context())
			if err != nil {
				return err
			}
			fs, err := fixtures.Generate(s, opts)
			if err != nil {
				return usage(err)
			}
			if err := fixtures.Write(out, fs...); err != nil {
				return usage(err)
			}
			for _, f := range fs {
				fmt.Fprintln(a.stdout, filepath.Join(out, fixtures.FileName(f)))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the fixtures into (required)")
	cmd.Flags().StringVar(&opts.Secret, "secret", fixtures.DefaultSecret, "secret the fixtures are signed with (never written to the files)")
	cmd.Flags().Int64Var(&opts.Timestamp, "timestamp", fixtures.DefaultTimestamp, "the receiver's frozen clock, integer Unix seconds")
	cmd.Flags().StringVar(&opts.Path, "path", fixtures.DefaultPath, "request path of every fixture")
	return cmd
}

// replayFlags are the inputs of `mvh fixtures replay`.
type replayFlags struct {
	dir, to, secret string
	timeout         time.Duration
	tls             delivery.TLS
}

func newFixturesReplayCmd(a *app) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay --dir DIR --to URL --secret S",
		Short: "Re-sign fixtures with the current time and POST them to a receiver",
		Long: `replay loads the fixtures of --dir, re-signs each with --secret at the current
time while keeping its kind of signing (a valid one stays valid, a stale one is
signed 10 minutes in the past, a tampered one still fails, ...), POSTs it to
--to (its own path when it has one, else the contract's default webhook path
/webhooks/minivoice, and it says which) and prints one line per fixture: ✓, ✗
or ? (not judged), name, expected class, status received. A fixture saved from
a check judged on business records (conform --save-fixtures) is the whole
sequence that check sent, replayed in order; mvh cannot see your records, so
it prints the record counts to compare and reports the fixture not judged,
never passed.

Exit 0 when every fixture got its expected class, 1 when any did not. A
receiver that cannot be reached, or does not answer within --timeout, fails
each fixture ("got error: ...") and exits 1, as MiniVoice would count those as
failed deliveries. Exit 2 for bad input: an unreadable or empty directory, an
invalid fixture file, a --to that is not an http(s) URL, no secret.`,
		Example: `  mvh fixtures replay --dir fixtures/minivoice --to http://127.0.0.1:8080 --secret whsec_minivoice_test
  MVH_SECRET=whsec_live mvh fixtures replay --dir testdata/minivoice --to https://staging.example.com/minivoice/webhooks`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.dir == "" || f.to == "" {
				return usagef("--dir and --to are required")
			}
			if err := delivery.CheckURL(f.to); err != nil {
				return usagef("--to: %w", err)
			}
			if f.secret == "" {
				return usagef("--secret: required (or set MVH_SECRET)")
			}
			if f.timeout <= 0 {
				return usagef("--timeout %s: want a positive duration", f.timeout)
			}
			fs, err := fixtures.Load(f.dir)
			if err != nil {
				return usage(err)
			}
			return replay(cmd, a, fs, f)
		},
	}
	cmd.Flags().StringVar(&f.dir, "dir", "", "directory of fixture *.json files (required)")
	cmd.Flags().StringVar(&f.to, "to", "", "receiver base URL, e.g. http://127.0.0.1:8080 (required)")
	cmd.Flags().StringVar(&f.secret, "secret", "", "the receiver's webhook secret")
	cmd.Flags().DurationVar(&f.timeout, "timeout", fixtures.ReplayTimeout, "time to wait for each answer")
	tlsFlags := flag.NewFlagSet("tls", flag.ContinueOnError)
	f.tls.RegisterFlags(tlsFlags)
	cmd.Flags().AddGoFlagSet(tlsFlags)
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

// replay sends the fixtures and prints the verdicts; bad input is exit 2,
// any failing fixture exit 1.
func replay(cmd *cobra.Command, a *app, fs []fixtures.Fixture, f replayFlags) error {
	client, err := delivery.NewClient(delivery.ClientOptions{Timeout: f.timeout, TLS: f.tls})
	if err != nil {
		return usage(err)
	}
	to, fromDefault, err := fixtures.ReplayURL(f.to)
	if err != nil {
		return usagef("--to: %w", err)
	}
	why := "the path of --to"
	if fromDefault {
		why = "--to has no path: the contract's default webhook path"
	}
	fmt.Fprintf(a.stdout, "replaying %d fixtures to %s (%s)\n", len(fs), to, why)
	s, err := a.spec(cmd.Context())
	if err != nil {
		return err
	}
	results, err := fixtures.Replay(cmd.Context(), s.Signature().Signing(), fs, f.to, f.secret, time.Now(), client)
	failures, notJudged := 0, 0
	for _, r := range results {
		fmt.Fprintln(a.stdout, r)
		a.logger.Debug("fixture replayed", "name", r.Name, "expected", r.Expected, "status", r.Status, "error", r.Error)
		switch {
		case r.Failed():
			failures++
		case r.NotJudged():
			notJudged++
		}
	}
	if err != nil {
		if cmd.Context().Err() != nil {
			return failed(err) // interrupted: not a pass
		}
		return usage(err)
	}
	fmt.Fprintf(a.stdout, "%d fixtures: %d passed, %d failed, %d not judged\n", len(results), len(results)-failures-notJudged, failures, notJudged)
	if failures > 0 {
		return silentFailure
	}
	return nil
}
