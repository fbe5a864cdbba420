package main

import (
	"flag"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/loadgen"
)

// mergeConfig is mvh load merge's flags.
type mergeConfig struct {
	JSON         bool
	Output, HTML string
}

// RegisterFlags binds every field to fs with its default.
func (c *mergeConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.JSON, "json", false, "print the merged result as JSON on stdout")
	fs.StringVar(&c.Output, "output", "", "write the merged raw result to this `FILE`")
	fs.StringVar(&c.HTML, "html", "", "write a one-file HTML page of the merged result to `FILE`")
}

func newLoadMergeCmd(a *app) *cobra.Command {
	mc := &mergeConfig{}
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Merge the results of several load hosts and the shared sink's records into one report",
		Long: `merge reads files written by mvh load --output (one per host) and by
mvh sink --output (the records of the receiver they all loaded) and prints one
report: counts added up, latency histograms merged without loss, and, with a
sink file, every key sent by any host accounted for against the records.
Without a sink file the hosts' own accountings are merged.

Exit status as mvh load: 1 when something acked was lost or duplicated or a
5xx came back without shedding, 2 for unreadable files.`,
		Example: `  mvh load merge a.json b.json sink.json
  mvh load merge --html load.html results/*.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var results []*loadgen.Result
			var records []*loadgen.Records
			for _, path := range args {
				r, rec, err := loadgen.ReadFile(path)
				if err != nil {
					return usage(err)
				}
				if r != nil {
					results = append(results, r)
				} else {
					records = append(records, rec)
				}
			}
			if len(results) == 0 {
				return usagef("merge: no load result among %d files (mvh load --output writes them)", len(args))
			}
			return report(a, loadgen.Merge(results, records), mc.JSON, mc.Output, mc.HTML)
		},
	}
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	mc.RegisterFlags(fs)
	cmd.Flags().AddGoFlagSet(fs)
	return cmd
}
