package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/control"
	"github.com/minivoice/mvh/mock/server"
)

func newMockCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "A local MiniVoice stand-in that signs, delivers and retries webhooks",
		Long: `mock runs a local MiniVoice stand-in (serve) and drives a running one through
its control API (spec/mock-api.yaml): trigger an event, make a call, list
deliveries newest first, resend them.`,
		Example: `  mvh mock serve
  mvh mock serve --addr 127.0.0.1:8025 --db mvh.db --time-scale 0.001 --token s3cret
  mvh mock trigger call.created
  mvh mock call inbound-ivr
  mvh mock deliveries --status failed
  mvh mock resend --failed`,
	}
	cmd.AddCommand(newMockServeCmd(a), newMockAppCmd(a), newMockTriggerCmd(a), newMockCallCmd(a), newMockDeliveriesCmd(a), newMockResendCmd(a))
	return asGroup(cmd)
}

func newMockServeCmd(a *app) *cobra.Command {
	var (
		engine mock.Config
		server control.ServerConfig
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the mock MiniVoice: JSON control API, durable outbox, delivery log page",
		Long: `serve runs a mock MiniVoice. Its JSON control API (spec/mock-api.yaml) creates
applications (webhook URL, secret, retry schedule, chaos), calls from named
scenarios and single events; every delivery is kept in a SQLite outbox (--db),
retried on the contract's schedule (compressed by --time-scale) and resumed
after a restart. The delivery log page at / lists applications, deliveries and
each attempt, with a resend button; stdout gets one line per attempt as it
happens (event, delivery, result, what comes next).

It binds loopback by default. With --token T every /v1/ request needs
"Authorization: Bearer T"; a browser opens /?token=T once and keeps the token
in an HttpOnly cookie. SIGINT or SIGTERM shut down gracefully: attempts in
flight finish or are recorded as interrupted and rescheduled.`,
		Example: `  mvh mock serve --db mvh.db
  mvh mock serve --time-scale 0.001 --db :memory: --token s3cret
  curl -s localhost:8025/v1/applications -H 'Content-Type: application/json' \
    -d '{"webhook_url":"http://127.0.0.1:8090/","webhook_secret":"whsec_minivoice_test"}'
  curl -s localhost:8025/v1/events -H 'Content-Type: application/json' \
    -d '{"application_id":"app_...","event":"call.created"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMockServe(cmd.Context(), a, engine, server)
		},
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	engine.RegisterFlags(fs)
	server.RegisterFlags(fs)
	cmd.Flags().AddGoFlagSet(fs)
	fromEnv(cmd, envToken, "token")
	return cmd
}

// runMockServe opens the outbox first, so a locked or corrupt database is
// reported before the port is bound, then runs the engine and the HTTP
// server until ctx ends.
func runMockServe(ctx context.Context, a *app, cfg mock.Config, scfg control.ServerConfig) error {
	s, err := a.spec(ctx)
	if err != nil {
		return err
	}
	if err := cfg.Check(); err != nil {
		return usage(err)
	}
	cfg.Logger, scfg.Logger = a.logger, a.logger
	cfg.OnAttempt = (&attemptPrinter{w: a.stdout, scale: cfg.TimeScale}).print // one line per attempt, as mvh send prints
	eng, err := mock.Open(ctx, s, cfg)
	if err != nil {
		return usage(err)
	}
	defer eng.Close()
	srv, err := control.NewServer(ctx, eng, s, scfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", scfg.Addr)
	if err != nil {
		return usagef("addr %s: %v", scfg.Addr, cause(err))
	}
	if !server.IsLoopback(scfg.Addr) && scfg.Token == "" {
		a.logger.Warn("mock serve: listening beyond loopback without --token: anyone who reaches the port can send as MiniVoice", "addr", scfg.Addr)
	}
	fmt.Fprintf(a.stderr, "mvh mock serve: http://%s (db %s, time scale %g)\n", ln.Addr(), cfg.DB, timeScale(cfg.TimeScale))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	engineDone := make(chan error, 1)
	go func() { engineDone <- eng.Run(ctx) }()
	serveErr := srv.Serve(ctx, ln)
	cancel() // a server that failed stops the engine too
	runErr := <-engineDone
	if serveErr != nil {
		return serveErr
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

func timeScale(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}
