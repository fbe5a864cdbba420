package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

// process is the faulty program as a real process on a state directory
// that outlives it, with a downstream sink, for the defects that show only
// across a crash or a restart.
type process struct {
	*receivertest.Process
	t     *testing.T
	args  []string
	env   []string
	sink  *receivertest.Sink
	quiet *harness // counts the sink's records like the in-process harness
}

func startProcess(t *testing.T, defect string) *process {
	t.Helper()
	sink := receivertest.NewSink(t)
	p := &process{t: t, sink: sink, quiet: &harness{sink: sink},
		env:  []string{"MVH_STATE_DIR=" + t.TempDir()},
		args: []string{"--secret", receivertest.Secret, "--addr", "127.0.0.1:0", "--downstream", sink.URL}}
	if defect != "" {
		p.args = append(p.args, "--defect", defect)
	}
	p.Process = receivertest.Start(t, p.env, p.args...)
	return p
}

func (p *process) url() string { return "http://" + p.Addr + receivertest.Path }

// restart starts the program again on the same state directory and sink.
func (p *process) restart() { p.Process = receivertest.Start(p.t, p.env, p.args...) }

// deliver posts a fresh call.created of callID and requires a 2xx.
func (p *process) deliver(callID string) {
	p.t.Helper()
	if got := receivertest.Deliver(p.t, p.url(), receivertest.Envelope(callID, "call.created")); got/100 != 2 {
		p.t.Fatalf("delivery of %s: status %d", callID, got)
	}
}

// TestCrashDefects runs the defects that keep something in memory as real
// processes, killed with SIGKILL or stopped with SIGTERM and restarted:
// without the defect the records survive, with it they do not (or come
// twice).
func TestCrashDefects(t *testing.T) {
	tests := []struct {
		defect    string
		scenario  func(p *process) string
		good, bad string
	}{
		{ackBeforeStore, killAfterAck, "keys=1", "keys=0"},
		{memoryDedupe, redeliverAfterRestart, "records=1", "records=2"},
		{volatileForward, killAfterAck, "keys=1", "keys=0"},
		// lossy-queue loses deliveries only when busy: one it stored
		// survives the kill.
		{lossyQueue, killAfterAck, "keys=1", "keys=1"},
	}
	for _, tt := range tests {
		t.Run(tt.defect, func(t *testing.T) {
			t.Parallel()
			if got := tt.scenario(startProcess(t, "")); got != tt.good {
				t.Errorf("without a defect: %q, want %q", got, tt.good)
			}
			if got := tt.scenario(startProcess(t, tt.defect)); got != tt.bad {
				t.Errorf("with %s: %q, want %q", tt.defect, got, tt.bad)
			}
		})
	}
}

// killAfterAck kills the receiver right after its 2xx and counts the
// distinct records once it is back: a record forwarded just before the
// kill, but not yet marked, may legitimately come again.
func killAfterAck(p *process) string {
	p.deliver("call_ack")
	p.Kill(p.t)
	p.restart()
	return p.keys()
}

// keys waits until the sink is quiet and counts its distinct keys.
func (p *process) keys() string {
	p.quiet.records(p.t)
	return fmt.Sprintf("keys=%d", len(slices.Compact(slices.Sorted(slices.Values(p.sink.Keys())))))
}

// redeliverAfterRestart delivers, waits for the record, restarts
// gracefully and redelivers the same event.
func redeliverAfterRestart(p *process) string {
	p.deliver("call_restart")
	receivertest.Eventually(p.t, 10*time.Second, func() bool { return len(p.sink.Keys()) == 1 })
	p.Stop(p.t)
	p.restart()
	p.deliver("call_restart")
	return fmt.Sprintf("records=%d", p.quiet.records(p.t))
}

// TestForwardNoRetry: the downstream refuses the first attempt; without the
// defect the record still arrives, with it never.
func TestForwardNoRetry(t *testing.T) {
	for defect, want := range map[string]int{"": 1, forwardNoRetry: 0} {
		h := start(t, defect)
		h.sink.FailFirst(1)
		if got := receivertest.Deliver(t, h.url, receivertest.Envelope("call_flaky", "call.created")); got != http.StatusOK {
			t.Fatalf("%q: status %d", defect, got)
		}
		if defect == "" {
			receivertest.Eventually(t, 10*time.Second, func() bool { return len(h.sink.Keys()) == 1 })
		}
		if got := h.records(t); got != want {
			t.Errorf("%q: %d records after one refused forward, want %d", defect, got, want)
		}
	}
}

// TestUnderLoad sends 100 distinct events, each twice at the same moment,
// all at once (200 deliveries, far beyond lossy-queue's 12 slots): the
// reference records each once; no-dedupe and racy-dedupe
// record duplicates; lossy-queue acknowledges everything and loses some.
func TestUnderLoad(t *testing.T) {
	tests := []struct{ defect, want string }{
		{"", "200 x 2xx, 100 keys, 0 duplicated"},
		{noDedupe, "200 x 2xx, 100 keys, 100 duplicated"},
		{racyDedupe, "200 x 2xx, 100 keys, some duplicated"},
		{lossyQueue, "200 x 2xx, fewer keys, 0 duplicated"},
	}
	for _, tt := range tests {
		t.Run(tt.defect, func(t *testing.T) {
			t.Parallel()
			h := start(t, tt.defect)
			ok := 0
			statuses := make(chan int, 200)
			for i := range 100 {
				body := receivertest.Envelope(fmt.Sprintf("call_load_%d", i), "call.created")
				go func() {
					for _, s := range receivertest.DeliverAll(t, h.url, body, 2) {
						statuses <- s
					}
				}()
			}
			for range 200 {
				if s := <-statuses; s/100 == 2 {
					ok++
				}
			}
			h.records(t)
			keys := map[string]int{}
			for _, k := range h.sink.Keys() {
				keys[k]++
			}
			dups := 0
			for _, n := range keys {
				dups += n - 1
			}
			distinct := fmt.Sprint(len(keys))
			if len(keys) < 100 {
				distinct = "fewer"
			}
			duplicated := fmt.Sprint(dups)
			if tt.defect == racyDedupe && dups > 0 {
				duplicated = "some" // how many copies meet inside the window depends on the machine's load
			}
			if got := fmt.Sprintf("%d x 2xx, %s keys, %s duplicated", ok, distinct, duplicated); got != tt.want {
				t.Errorf("%s", got)
			}
		})
	}
}
