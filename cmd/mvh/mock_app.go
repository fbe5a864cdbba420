package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/mock/control"
)

// appFlags are the settings `mvh mock app create` and `update` send.
type appFlags struct {
	mockClientFlags
	settings control.AppSettings
}

func (f *appFlags) register(cmd *cobra.Command) {
	f.mockClientFlags.register(cmd, false)
	cmd.Flags().StringVar(&f.settings.WebhookURL, "url", "", "the application's webhook `URL`")
	cmd.Flags().StringVar(&f.settings.Name, "name", "", "a name to tell applications apart")
	cmd.Flags().StringArrayVar(&f.settings.Secrets, "secret", nil, "webhook secret, repeat during a rotation (update: none keeps the current ones)")
	cmd.Flags().StringSliceVar(&f.settings.RetrySchedule, "retry-schedule", nil, "attempt offsets, e.g. 0s,5s,30s (default: the contract's)")
}

func newMockAppCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Create, update or delete an application of a running mock",
		Example: `  mvh mock app create --url http://127.0.0.1:8090/ --secret whsec_minivoice_test
  mvh mock app update app_1a2b --url http://127.0.0.1:3000/webhooks
  mvh mock app delete app_1a2b`,
	}
	cmd.AddCommand(newMockAppCreateCmd(a), newMockAppUpdateCmd(a), newMockAppDeleteCmd(a))
	return asGroup(cmd)
}

func newMockAppCreateCmd(a *app) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "create --url URL [--secret S]",
		Short: "Create an application (POST /v1/applications)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.settings.WebhookURL == "" {
				return usagef("--url: required, the application's webhook URL")
			}
			if err := checkSecrets(f.settings.Secrets); err != nil {
				return err
			}
			app, err := f.client().CreateApplication(cmd.Context(), f.settings)
			return printApp(a, f.json, app, clientError(err))
		},
	}
	f.register(cmd)
	return cmd
}

func newMockAppUpdateCmd(a *app) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "update APP_ID [--url URL] [--name N] [--secret S]...",
		Short: "Replace an application's settings; flags not given keep their value",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSecrets(f.settings.Secrets); err != nil {
				return err
			}
			c := f.client()
			old, err := c.GetApplication(cmd.Context(), args[0])
			if err != nil {
				return clientError(err)
			}
			s := f.settings
			if !cmd.Flags().Changed("url") {
				s.WebhookURL = old.WebhookURL
			}
			if !cmd.Flags().Changed("name") {
				s.Name = old.Name
			}
			if !cmd.Flags().Changed("retry-schedule") {
				s.RetrySchedule = old.RetrySchedule
			}
			chaos := old.Chaos // a PUT replaces everything: keep what no flag sets
			s.Chaos = &chaos
			app, err := c.UpdateApplication(cmd.Context(), args[0], s)
			return printApp(a, f.json, app, clientError(err))
		},
	}
	f.register(cmd)
	return cmd
}

func newMockAppDeleteCmd(a *app) *cobra.Command {
	var f mockClientFlags
	cmd := &cobra.Command{
		Use:   "delete APP_ID",
		Short: "Delete an application; its deliveries stay and pending ones still run",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.client().DeleteApplication(cmd.Context(), args[0]); err != nil {
				return clientError(err)
			}
			fmt.Fprintf(a.stdout, "deleted %s\n", args[0])
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

// printApp prints an application (never a secret: the API has none to give).
func printApp(a *app, asJSON bool, app control.Application, err error) error {
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(app)
	}
	fmt.Fprintf(a.stdout, "%s %s (%d secret(s))", app.ID, app.WebhookURL, app.SecretCount)
	if app.Name != "" {
		fmt.Fprintf(a.stdout, " %q", app.Name)
	}
	fmt.Fprintln(a.stdout)
	return nil
}
