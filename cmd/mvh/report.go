package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/reporters"
)

// newReportCmd is `mvh report`: every report format again from a saved
// report.json, so a CI job can publish the reports of a run it only has
// as an artifact.
func newReportCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "report FILE.json --report-dir DIR",
		Short: "Re-render junit.xml, report.json, report.md and report.html from a saved report.json",
		Long: `report reads a report.json that mvh conform wrote (--report-dir or --json)
and writes every report format into --report-dir: junit.xml, report.json,
report.md and report.html, byte for byte what the run wrote itself, since
every format renders report.json's model alone. It prints the paths it
wrote and exits 0 whatever the run's verdict (the gate is conform's exit
status); a missing file, a file that is not a report.json, or one of a
schema_version newer than this mvh reads is bad input: exit 2.`,
		Example: `  mvh conform --cmd '...' --json > run.json || true
  mvh report run.json --report-dir reports
  mvh report artifacts/report.json --report-dir public/conformance`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if dir == "" {
				return usagef("--report-dir: required")
			}
			if err := checkOutputDir("--report-dir", dir); err != nil {
				return err
			}
			doc, err := reporters.ReadDocument(args[0])
			if err != nil {
				return usage(err)
			}
			paths, err := reporters.WriteDocument(dir, doc)
			for _, p := range paths {
				fmt.Fprintln(a.stdout, p)
			}
			if err != nil {
				return usage(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "report-dir", "", "directory to write junit.xml, report.json, report.md and report.html into (created if needed)")
	return cmd
}
