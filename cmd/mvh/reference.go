package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// newReferenceCmd runs the bundled reference receiver, so `mvh conform
// --demo` needs nothing but this one static binary: the harness re-executes
// mvh with this hidden command as its command target.
func newReferenceCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:                "reference-receiver [receiver flags]",
		Short:              "Run the bundled reference receiver (used by conform --demo)",
		Hidden:             true,
		DisableFlagParsing: true,
		Example:            "  mvh reference-receiver --addr 127.0.0.1:8080 --secret whsec_demo --downstream http://127.0.0.1:9000/records",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch code := receiver.Run(cmd.Context(), args, os.Getenv, a.stderr); code {
			case 0:
				return nil
			case 2:
				return &exitError{code: exitUsage, err: errSilent}
			default:
				return &exitError{code: code, err: errSilent}
			}
		},
	}
}
