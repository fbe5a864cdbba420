package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/control"
)

// mockClientFlags are the flags every command that drives a running mock
// shares: where it is, its token, and which application to act for.
type mockClientFlags struct {
	url, token, app string
	json            bool
}

func (f *mockClientFlags) register(cmd *cobra.Command, withApp bool) {
	cmd.Flags().StringVar(&f.url, "mock", envOr("MVH_MOCK_URL", "http://127.0.0.1:8025"), "`URL` of the running mvh mock serve ($MVH_MOCK_URL)")
	cmd.Flags().StringVar(&f.token, "token", "", "the server's --token (default: $MVH_MOCK_TOKEN)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the API's answer as JSON")
	if withApp {
		cmd.Flags().StringVar(&f.app, "app", "", "application `ID` (default: the mock's only application)")
	}
}

func (f mockClientFlags) client() control.Client {
	tok := f.token
	if tok == "" {
		tok = os.Getenv("MVH_MOCK_TOKEN")
	}
	return control.Client{BaseURL: f.url, Token: tok}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// application is --app, or the mock's only application.
func (f mockClientFlags) application(ctx context.Context, c control.Client) (string, error) {
	if f.app != "" {
		return f.app, nil
	}
	apps, err := c.Applications(ctx)
	if err != nil {
		return "", err
	}
	switch len(apps) {
	case 1:
		return apps[0].ID, nil
	case 0:
		return "", errors.New("--app: the mock has no application yet; create one with POST /v1/applications (mvh mock serve --help)")
	}
	ids := make([]string, len(apps))
	for i, a := range apps {
		ids[i] = a.ID
	}
	return "", fmt.Errorf("--app: required, the mock has %d applications (%s)", len(apps), strings.Join(ids, ", "))
}

// target is what trigger and call need: the client, the application and
// the --set overrides, each checked.
func (f mockClientFlags) target(ctx context.Context, sets []string) (control.Client, string, control.Overrides, error) {
	set, err := parseSets(sets)
	if err != nil {
		return control.Client{}, "", nil, err
	}
	c := f.client()
	appID, err := f.application(ctx, c)
	return c, appID, set, clientError(err)
}

// clientError maps the client's errors onto exit codes: everything a mock
// CLI command can get wrong is its input or its target (exit 2).
func clientError(err error) error {
	if err == nil {
		return nil
	}
	return usage(err)
}

func newMockTriggerCmd(a *app) *cobra.Command {
	var f mockClientFlags
	var sets []string
	cmd := &cobra.Command{
		Use:   "trigger EVENT",
		Short: "Emit one event from a running mock to its application (like stripe trigger)",
		Long: `trigger asks a running mvh mock serve (--mock) to emit EVENT to an application
(--app, or the mock's only one), built from the contract's example with a fresh
call ID and --set overrides (call.status=completed, data.digits=1; a value that
is JSON is sent as JSON, anything else as a string). It prints the deliveries
made; the mock delivers and retries them and mvh mock deliveries shows how.`,
		Example: `  mvh mock trigger call.created
  mvh mock trigger call.gathered --set data.digits=1 --set call.id=call_42 --app app_1a2b`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, appID, set, err := f.target(cmd.Context(), sets)
			if err != nil {
				return err
			}
			ds, err := c.TriggerEvent(cmd.Context(), appID, args[0], set)
			if err != nil {
				return clientError(err)
			}
			return printDeliveries(a, f.json, ds)
		},
	}
	f.register(cmd, true)
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a field, `section.field=value` (call, variables or data; repeatable)")
	return cmd
}

func newMockCallCmd(a *app) *cobra.Command {
	var f mockClientFlags
	var sets []string
	cmd := &cobra.Command{
		Use:   "call SCENARIO",
		Short: "Make a call on a running mock that plays a scenario's events",
		Long: `call asks a running mvh mock serve to make a call that plays SCENARIO
(inbound-ivr, invalid-input, no-answer, appointment-reminder, or one the server
loaded with --scenario-file) to an application, and prints the deliveries it
scheduled. The events follow the scenario's delays, scaled by the server's
--time-scale.`,
		Example: `  mvh mock call inbound-ivr
  mvh mock call no-answer --app app_1a2b --set variables.campaign=spring`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, appID, set, err := f.target(cmd.Context(), sets)
			if err != nil {
				return err
			}
			callID, ds, err := c.Call(cmd.Context(), appID, args[0], set)
			if err != nil {
				return clientError(err)
			}
			if !f.json {
				fmt.Fprintf(a.stdout, "call %s: %d deliveries\n", callID, len(ds))
			}
			return printDeliveries(a, f.json, ds)
		},
	}
	f.register(cmd, true)
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a field of every event, `section.field=value` (repeatable)")
	return cmd
}

func newMockDeliveriesCmd(a *app) *cobra.Command {
	var f mockClientFlags
	var q control.DeliveryQuery
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List a running mock's deliveries, newest first",
		Example: `  mvh mock deliveries
  mvh mock deliveries --status failed --limit 5
  mvh mock deliveries --call-id call_42 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if q.Status != "" && q.Status != mock.StatusPending && q.Status != mock.StatusDelivered && q.Status != mock.StatusFailed {
				return usagef("--status %q: want pending, delivered or failed", q.Status)
			}
			q.NewestFirst, q.ApplicationID = true, f.app
			ds, err := f.client().Deliveries(cmd.Context(), q)
			if err != nil {
				return clientError(err)
			}
			return printDeliveries(a, f.json, ds)
		},
	}
	f.register(cmd, true)
	cmd.Flags().StringVar(&q.Status, "status", "", "only `pending`, delivered or failed deliveries")
	cmd.Flags().StringVar(&q.CallID, "call-id", "", "only this call's deliveries")
	cmd.Flags().IntVar(&q.Limit, "limit", 20, "at most this many, newest first")
	return cmd
}

func newMockResendCmd(a *app) *cobra.Command {
	var f mockClientFlags
	var failedOnly bool
	cmd := &cobra.Command{
		Use:   "resend [DELIVERY_ID...] | --failed",
		Short: "Resend deliveries of a running mock: each becomes a new delivery linked to the first",
		Example: `  mvh mock resend dlv_1a2b
  mvh mock resend --failed
  mvh mock resend --failed --app app_1a2b`,
		RunE: func(cmd *cobra.Command, ids []string) error {
			if failedOnly == (len(ids) > 0) {
				return usagef("resend: give delivery IDs or --failed, not both or neither")
			}
			c := f.client()
			if failedOnly {
				ds, err := c.Deliveries(cmd.Context(), control.DeliveryQuery{Status: mock.StatusFailed, ApplicationID: f.app, Limit: 10000})
				if err != nil {
					return clientError(err)
				}
				for _, d := range ds {
					ids = append(ids, d.ID)
				}
				if len(ids) == 0 && !f.json {
					fmt.Fprintln(a.stdout, "no failed deliveries")
				}
			}
			var out []control.Delivery
			for _, id := range ids {
				d, err := c.Resend(cmd.Context(), id)
				if err != nil {
					return clientError(err)
				}
				out = append(out, d)
			}
			return printDeliveries(a, f.json, out)
		},
	}
	f.register(cmd, true)
	cmd.Flags().BoolVar(&failedOnly, "failed", false, "resend every failed delivery (of --app, when given)")
	return cmd
}

// parseSets reads --set section.field=value into the API's overrides.
func parseSets(sets []string) (control.Overrides, error) {
	out := control.Overrides{}
	for _, s := range sets {
		path, value, ok := strings.Cut(s, "=")
		section, field, dotted := strings.Cut(path, ".")
		if !ok || !dotted || field == "" || strings.Contains(field, ".") ||
			(section != "call" && section != "variables" && section != "data") {
			return nil, usagef("--set %q: want call.FIELD=VALUE, variables.FIELD=VALUE or data.FIELD=VALUE", s)
		}
		raw := json.RawMessage(value)
		if !json.Valid(raw) {
			raw, _ = json.Marshal(value)
		}
		if out[section] == nil {
			out[section] = map[string]json.RawMessage{}
		}
		out[section][field] = raw
	}
	return out, nil
}

// printDeliveries prints one line per delivery, or the API's JSON.
func printDeliveries(a *app, asJSON bool, ds []control.Delivery) error {
	if asJSON {
		if ds == nil {
			ds = []control.Delivery{}
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"deliveries": ds})
	}
	if len(ds) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEVENT\tCALL\tSTATUS\tATTEMPTS\tCREATED\tURL")
	for _, d := range ds {
		status := d.Status
		if d.ResendOf != "" {
			status += " (resend of " + d.ResendOf + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Event, d.CallID, status, d.AttemptCount,
			d.CreatedAt.Local().Format(time.DateTime), d.URL)
	}
	return tw.Flush()
}
