package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/spec"
)

func newSpecCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Inspect and lint the webhook contract (OpenAPI 3.1)",
		Example: `  mvh spec events
  mvh spec lint my-minivoice-webhooks.yaml`,
	}
	cmd.AddCommand(newSpecLintCmd(a), newSpecEventsCmd(a))
	return asGroup(cmd)
}

func newSpecLintCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Validate a contract file: OpenAPI 3.1 plus mvh's own rules",
		Long: `lint checks a contract with kin-openapi and with mvh's rules: every webhook
is a POST with an application/json body schema and the X-MiniVoice-Event
header, every example validates against its schema and names its own event,
and x-minivoice-signature and x-minivoice-retry are complete. Findings print
one per line as "file:line: rule: message". Without FILE it lints --spec, or
the embedded contract. Exit 0 clean, 1 findings, 2 unreadable file.`,
		Example: `  mvh spec lint
  mvh spec lint ./minivoice-webhooks.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, data, err := a.specSource(args)
			if err != nil {
				return err
			}
			findings := spec.Lint(cmd.Context(), name, data)
			for _, f := range findings {
				fmt.Fprintln(a.stdout, f)
			}
			if len(findings) > 0 {
				return silentFailure
			}
			_, err = fmt.Fprintf(a.stdout, "%s: ok\n", name)
			return err
		},
	}
}

// specSource returns the bytes lint reads: FILE, else --spec, else the
// embedded contract.
func (a *app) specSource(args []string) (string, []byte, error) {
	path := a.specPath
	if len(args) == 1 {
		path = args[0]
	}
	if path == "" {
		return spec.DefaultName, spec.DefaultDocument(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, usagef("spec file: %w", err)
	}
	return path, data, nil
}

// eventRow is one catalogue entry as `mvh spec events --json` prints it.
type eventRow struct {
	spec.Event
	Status string `json:"status"` // documented or inferred
}

func newSpecEventsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events",
		Short: "List the event catalogue, each event documented or inferred",
		Long: `events lists the webhooks of the contract. "documented" events appear on
MiniVoice's public page; "inferred" ones (x-minivoice-inferred) are implied by
it and are this project's best reading. --json adds each event's example.`,
		Example: `  mvh spec events
  mvh spec events --json | jq -r '.[] | select(.status == "inferred") | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.spec(cmd.Context())
			if err != nil {
				return err
			}
			rows := make([]eventRow, 0, len(s.Events()))
			for _, e := range s.Events() {
				rows = append(rows, eventRow{Event: e, Status: eventStatus(e)})
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "EVENT\tSTATUS\tSUMMARY")
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, r.Status, r.Summary)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalogue as a JSON array, examples included")
	return cmd
}

// eventStatus names whether MiniVoice documents an event or mvh inferred it.
func eventStatus(e spec.Event) string {
	if e.Inferred {
		return "inferred"
	}
	return "documented"
}
