package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/spec"
)

// sendFlags are the inputs of `mvh send`.
type sendFlags struct {
	to, event, scenario string
	secrets, sets       []string
	dataFile, schedule  string
	chaos               mock.Chaos
	json                bool
	engine              mock.Config
}

func newSendCmd(a *app) *cobra.Command {
	f := sendFlags{engine: mock.Config{DB: mock.MemoryDB}}
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Deliver one event (or a scenario's call) to a URL the way MiniVoice does",
		Long: `send builds an event from the contract's example (fresh call ID,
data.event_key, created_at now, --set and --data-file applied), or every event
of a scenario's call, and delivers it like MiniVoice: signed afresh with each
--secret on every attempt, identical body bytes, success only on a 2xx, and
retries on non-2xx answers, timeouts, refused or reset connections and TLS
errors on the retry schedule (default: the contract's 0s,5s,30s,...,3h, each
delay ±10%). It prints one line per attempt and exits 0 when every delivery
was accepted, 1 when a schedule ran out.

A --to that is not an absolute http(s) URL, or whose host name does not
resolve, is bad input (exit 2): retrying a typo for hours helps nobody. A
receiver that is down (refused, timing out) is what retries are for: it is
retried and, if it never answers 2xx, exits 1.

--time-scale compresses the schedule (0.001 runs the 3h schedule in ~11s)
and a scenario's gaps between events alike, while the printed times stay in
schedule time. A scenario first lists its events and its real duration on
stderr: inbound-ivr is a 5-minute call, so at --time-scale 1 it takes 5
minutes (appointment-reminder 1m30s, no-answer 45s, invalid-input 40s). The outbox is in memory unless
--db names a file.`,
		Example: `  mvh send --to http://127.0.0.1:8080/webhooks/minivoice --event call.created --secret whsec_minivoice_test
  mvh send --to http://127.0.0.1:8080/hook --event call.completed --set call.status=completed --retry-schedule 0s,300ms,600ms
  mvh send --to http://127.0.0.1:8080/hook --scenario inbound-ivr --time-scale 0.01 --duplicate 1 --concurrent
  mvh send --to http://127.0.0.1:8080/hook --event call.gathered --data-file digits.json --lost-ack 1 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSend(cmd.Context(), a, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "receiver URL (absolute http:// or https://)")
	fl.StringVar(&f.event, "event", "", "event name from the catalogue (list them with: mvh spec events)")
	fl.StringVar(&f.scenario, "scenario", "", "play a scenario's call instead of one event (inbound-ivr, invalid-input, no-answer, appointment-reminder, or from --scenario-file)")
	fl.StringArrayVar(&f.secrets, "secret", nil, "webhook secret to sign with, repeat for rotation (none: unsigned)")
	fl.StringArrayVar(&f.sets, "set", nil, "override a payload field, path=value (repeatable), e.g. call.status=completed")
	fl.StringVar(&f.dataFile, "data-file", "", "JSON object merged into the payload's data")
	fl.StringVar(&f.schedule, "retry-schedule", "", "attempt offsets from creation, e.g. 0s,5s,30s (default: the contract's)")
	fl.IntVar(&f.chaos.Duplicate, "duplicate", 0, "also deliver N extra copies of each event")
	fl.BoolVar(&f.chaos.Concurrent, "concurrent", false, "send --duplicate copies at the same instant (default: one after another)")
	fl.IntVar(&f.chaos.LostAck, "lost-ack", 0, "drop the answer of the first N attempts unread, so they count as failed")
	fl.BoolVar(&f.chaos.OutOfOrder, "out-of-order", false, "with --scenario: deliver the call's events in a shuffled order")
	fl.DurationVar(&f.chaos.Jitter, "jitter", 0, "delay each delivery by a random extra up to this (schedule time)")
	fl.BoolVar(&f.json, "json", false, "print one JSON object per attempt")
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	f.engine.RegisterFlags(fs)
	fl.AddGoFlagSet(fs)
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

// runSend checks every input before anything is sent, then delivers and
// waits for every delivery to finish.
func runSend(ctx context.Context, a *app, f sendFlags) error {
	if err := f.engine.Check(); err != nil {
		return usage(err)
	}
	s, err := a.spec(ctx)
	if err != nil {
		return err
	}
	base, err := f.send(ctx, s)
	if err != nil {
		return err
	}
	out := &attemptPrinter{w: a.stdout, json: f.json, scale: f.engine.TimeScale}
	cfg := f.engine
	cfg.Logger, cfg.OnAttempt = a.logger, out.print
	eng, err := mock.Open(ctx, s, cfg)
	if err != nil {
		return usage(err)
	}
	defer eng.Close()
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(runCtx) }()
	defer func() { stop(); <-done }()

	ds, err := f.enqueue(ctx, eng, base)
	if err != nil {
		return usage(err)
	}
	if f.scenario != "" {
		announce(a, eng.Scenarios()[f.scenario], f.engine.TimeScale)
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	final, err := eng.Wait(ctx, ids...)
	if err != nil {
		return failed(fmt.Errorf("send interrupted before every delivery finished: %w", err))
	}
	return out.summary(final)
}

// send checks the flags and returns the delivery they describe.
func (f sendFlags) send(ctx context.Context, s *spec.Spec) (mock.Send, error) {
	if err := checkTarget(ctx, f.to); err != nil {
		return mock.Send{}, err
	}
	if (f.event == "") == (f.scenario == "") {
		return mock.Send{}, usagef("--event or --scenario: give exactly one")
	}
	if err := checkSecrets(f.secrets); err != nil {
		return mock.Send{}, err
	}
	if f.event != "" {
		if _, err := s.Event(f.event); err != nil {
			return mock.Send{}, usagef("--event %q: unknown event (known: %s)", f.event, strings.Join(s.EventNames(), ", "))
		}
	}
	send := mock.Send{URL: f.to, Event: f.event, Secrets: f.secrets, Chaos: f.chaos}
	for _, v := range f.sets {
		o, err := spec.ParseOverride(v)
		if err != nil {
			return mock.Send{}, usagef("--set: %w", err)
		}
		send.Set = append(send.Set, o)
	}
	if f.dataFile != "" {
		b, err := os.ReadFile(f.dataFile)
		if err != nil {
			return mock.Send{}, usagef("--data-file: %w", err)
		}
		if err := json.Unmarshal(b, &send.Data); err != nil || send.Data == nil {
			return mock.Send{}, usagef("--data-file %s: want a JSON object", f.dataFile)
		}
	}
	if f.schedule != "" {
		sched, err := spec.ParseSchedule(f.schedule)
		if err != nil {
			return mock.Send{}, usagef("--retry-schedule: %w", err)
		}
		send.Schedule = sched
	}
	return send, nil
}

// enqueue hands the send (or the scenario's call) to the engine.
func (f sendFlags) enqueue(ctx context.Context, eng *mock.Engine, s mock.Send) ([]mock.Delivery, error) {
	if f.scenario == "" {
		return eng.Enqueue(ctx, s)
	}
	set := s.Set
	for k, v := range s.Data {
		b, _ := json.Marshal(v)
		set = append(set, spec.Override{Path: "data." + k, Value: string(b)})
	}
	app := mock.Application{WebhookURL: s.URL, Secrets: s.Secrets, Schedule: s.Schedule, Chaos: s.Chaos}
	_, ds, err := eng.EnqueueCall(ctx, app, mock.CallRequest{Scenario: f.scenario, Set: set})
	if errors.Is(err, mock.ErrUnknownScenario) {
		return nil, fmt.Errorf("--scenario: %w", err)
	}
	return ds, err
}

// announce prints, on stderr, the events a scenario will send and how long
// it really takes, so a 5-minute call at --time-scale 1 is not 5 minutes of
// silence; each attempt's line then follows on stdout as it happens.
func announce(a *app, sc mock.Scenario, timeScale float64) {
	if len(sc.Steps) == 0 {
		return
	}
	var last time.Duration
	for _, st := range sc.Steps {
		last = max(last, st.After)
	}
	real := time.Duration(float64(last) * timeScale)
	fmt.Fprintf(a.stderr, "mvh send: scenario %s: %d events over %s of call time, %s in real time at --time-scale %g",
		sc.Name, len(sc.Steps), last, real.Round(time.Millisecond), timeScale)
	if timeScale == 1 && last >= time.Minute {
		fmt.Fprintf(a.stderr, " (--time-scale 0.01 plays it in %s)", time.Duration(float64(last)*0.01).Round(time.Millisecond))
	}
	fmt.Fprintln(a.stderr)
	for _, st := range sc.Steps {
		fmt.Fprintf(a.stderr, "  +%-8s %s\n", st.After, st.Event)
	}
}

// checkTarget rejects a --to that cannot be delivered to at all: not an
// absolute http(s) URL, or a host name the resolver says does not exist. A
// resolver that cannot answer is not proof of a typo, so it passes.
func checkTarget(ctx context.Context, to string) error {
	if to == "" {
		return usagef("--to: required, e.g. --to http://127.0.0.1:8080/webhooks/minivoice")
	}
	if err := delivery.CheckURL(to); err != nil {
		return usagef("--to: %w", err)
	}
	u, _ := url.Parse(to)
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := net.DefaultResolver.LookupHost(ctx, host)
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return usagef("--to %q: host %s does not resolve", to, host)
	}
	return nil
}
