package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/minivoice/mvh/mock/inbox"
	"github.com/minivoice/mvh/mock/server"
	"github.com/spf13/cobra"
)

func newListenCmd(a *app) *cobra.Command {
	var cfg inbox.Config
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "A local inbox that verifies each delivery and says exactly why a signature fails",
		Long: `listen receives webhook deliveries (from mvh send, mvh mock serve or a real
sender) and prints one line per delivery: time, event, call ID and verdict.
With --secret it verifies each signature like a conforming receiver and, when
one fails, says why: which header is missing, a malformed header, a timestamp
too old or in the future (by how much), or no matching entry, and then the
signed content "<timestamp>.<body>" it expected and the v1 value it computed
per secret ("secret #1"); secrets themselves are never printed. Each body is
validated against the contract, every violation listed by JSON pointer.

It answers the sender 200 when the signature verifies (or when no --secret is
given) and 401 when it does not. --forward also sends each delivery, same
headers and exact body, to your receiver, prints its status and answers the
sender what your receiver answered (502 when it cannot be reached), so the
sender retries when your receiver fails; --ack-always keeps the inbox's own
answer. --save writes each delivery as a fixture file your own tests can
replay.`,
		Example: `  mvh listen --secret whsec_minivoice_test
  MVH_SECRET=whsec_... mvh listen --addr 127.0.0.1:8090 --path /webhooks/minivoice
  mvh listen --secret old --secret new --forward http://127.0.0.1:3000/webhooks --save testdata/deliveries`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runListen(cmd.Context(), a, cfg) },
	}
	fs := flag.NewFlagSet("listen", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	cmd.Flags().AddGoFlagSet(fs)
	cmd.Flags().StringArrayVar(&cfg.Secrets, "secret", nil, "verify with this secret (repeat during a rotation)")
	fromEnv(cmd, envSecret, "secret")
	fromEnv(cmd, envToken, "token")
	return cmd
}

// runListen checks every flag and binds the port before the first delivery
// can arrive, then serves the inbox until ctx ends.
func runListen(ctx context.Context, a *app, cfg inbox.Config) error {
	s, err := a.spec(ctx)
	if err != nil {
		return err
	}
	if err := checkListen(cfg); err != nil {
		return err
	}
	cfg.Out, cfg.Logger = a.stdout, a.logger
	in, err := inbox.New(s, cfg)
	if err != nil {
		return usage(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return usagef("addr %s: %v", cfg.Addr, cause(err))
	}
	if !server.IsLoopback(cfg.Addr) && cfg.Token == "" {
		a.logger.Warn("listen: listening beyond loopback without --token: anyone who reaches the port can post to the inbox and its forward target", "addr", cfg.Addr)
	}
	fmt.Fprintf(a.stderr, "mvh listen: http://%s%s (%s)\n", ln.Addr(), cfg.Path, listenSummary(cfg))
	return in.Serve(ctx, ln)
}

// checkListen refuses flags that would only fail at the first delivery.
func checkListen(cfg inbox.Config) error {
	if cfg.Tolerance < 0 {
		return usagef("--tolerance %s: want a positive duration (or none: the contract's)", cfg.Tolerance)
	}
	if err := checkSecrets(cfg.Secrets); err != nil {
		return err
	}
	if cfg.Save != "" {
		if err := os.MkdirAll(cfg.Save, 0o755); err != nil {
			return usagef("--save %s: %v", cfg.Save, cause(err))
		}
	}
	return nil
}

func listenSummary(cfg inbox.Config) string {
	parts := []string{"not verifying: no --secret"}
	if n := len(cfg.Secrets); n > 0 {
		parts[0] = fmt.Sprintf("verifying with %d secret(s)", n)
	}
	if cfg.Forward != "" {
		answer := "answering what it answers"
		if cfg.AckAlways {
			answer = "answering the inbox's verdict"
		}
		parts = append(parts, "forwarding to "+cfg.Forward+", "+answer)
	}
	if cfg.Save != "" {
		parts = append(parts, "saving fixtures to "+cfg.Save)
	}
	return strings.Join(parts, "; ")
}

// cause drops the operation and path a net or os error repeats, since the
// message already names the flag and its value.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
