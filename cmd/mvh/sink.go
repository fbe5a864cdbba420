package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/loadgen"
	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/sink"
)

// sinkConfig is mvh sink's flags.
type sinkConfig struct {
	Addr, Output, Key string
	For               time.Duration
}

// RegisterFlags binds every field to fs with its default.
func (c *sinkConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:9000", "HOST:PORT to listen on")
	fs.StringVar(&c.Output, "output", "", "write the records per key to this `FILE` every second and on exit, for mvh load merge (required)")
	fs.StringVar(&c.Key, "sink-key", observe.DefaultKey, "JSON pointer of the key of each record")
	fs.DurationVar(&c.For, "for", 0, "stop after this long (default: until SIGINT or SIGTERM)")
}

func newSinkCmd(a *app) *cobra.Command {
	sc := &sinkConfig{}
	cmd := &cobra.Command{
		Use:   "sink",
		Short: "Run the harness's records sink on its own, for a receiver several load hosts share",
		Long: `sink runs the downstream the harness gives receivers ({sink_url}): each POST
to /records is one business record, counted by the key at --sink-key. Point the
receiver's downstream at it, run mvh load --url ... --output on each host, stop
the sink (Ctrl-C) and give its --output file to mvh load merge with theirs.`,
		Example: `  mvh sink --addr 0.0.0.0:9000 --output sink.json
  mvh load merge a.json b.json sink.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSink(cmd.Context(), a, *sc) },
	}
	fs := flag.NewFlagSet("sink", flag.ContinueOnError)
	sc.RegisterFlags(fs)
	cmd.Flags().AddGoFlagSet(fs)
	return cmd
}

func runSink(ctx context.Context, a *app, sc sinkConfig) error {
	if sc.Output == "" {
		return usagef("--output: required, the file mvh load merge reads")
	}
	if sc.For < 0 {
		return usagef("--for %s: want a positive duration", sc.For)
	}
	s, err := sink.Start(sink.Options{Addr: sc.Addr, Key: sc.Key, Logger: a.logger})
	if err != nil {
		return usage(err)
	}
	fmt.Fprintf(a.stderr, "sink: records at %s (written to %s every second and on Ctrl-C)\n", s.URL(), sc.Output)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if sc.For > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sc.For)
		defer cancel()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-tick.C:
			if err := writeRecords(ctx, s, sc); err != nil {
				a.logger.Warn("sink: write records", "err", err)
			}
		}
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.Close(closeCtx)
	if err := writeRecords(closeCtx, s, sc); err != nil {
		return usagef("--output: %w", err)
	}
	counts, _ := s.Counts(closeCtx)
	rec := &loadgen.Records{Records: counts}
	fmt.Fprintf(a.stdout, "sink: %d records of %d keys written to %s\n", rec.Total(), len(counts), sc.Output)
	return nil
}

// writeRecords replaces --output with the records so far (written aside
// and renamed, so a reader never sees half a file).
func writeRecords(ctx context.Context, s *sink.Sink, sc sinkConfig) error {
	counts, err := s.Counts(ctx)
	if err != nil {
		return err
	}
	tmp := sc.Output + ".tmp"
	rec := &loadgen.Records{Kind: loadgen.RecordsKind, Key: sc.Key, Records: counts, Unkeyed: s.Unkeyed()}
	if err := loadgen.WriteFile(tmp, rec); err != nil {
		return err
	}
	return os.Rename(tmp, sc.Output)
}
