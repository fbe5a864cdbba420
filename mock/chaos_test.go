package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestChaosDuplicate delivers copies sequentially (never overlapping) or
// concurrently (all at the receiver at once), each with identical bytes and
// the chaos recorded.
func TestChaosDuplicate(t *testing.T) {
	tests := []struct {
		name       string
		concurrent bool
		copies     int
		wantPeak   int
	}{
		{"sequential", false, 2, 1},
		{"concurrent", true, 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := engNewSink(t, 80*time.Millisecond, 200)
			e, _ := engStart(t, Config{})
			ds, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.created",
				Chaos: Chaos{Duplicate: tt.copies, Concurrent: tt.concurrent}})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != tt.copies+1 {
				t.Fatalf("%d deliveries, want %d", len(ds), tt.copies+1)
			}
			for _, d := range engWait(t, e, ds) {
				if d.Status != StatusDelivered || len(d.Chaos) == 0 || !strings.Contains(d.Chaos[len(d.Chaos)-1], "duplicate") {
					t.Errorf("delivery %s: %s, chaos %q", d.ID, d.Status, d.Chaos)
				}
			}
			hits, peak := sink.snapshot()
			if len(hits) != tt.copies+1 || peak != tt.wantPeak {
				t.Errorf("receiver got %d requests, peak %d at once; want %d, peak %d", len(hits), peak, tt.copies+1, tt.wantPeak)
			}
			for i, h := range hits {
				if !bytes.Equal(h.body, hits[0].body) {
					t.Errorf("copy %d has different bytes", i)
				}
			}
		})
	}
}

// TestChaosOutOfOrder plays a user scenario with out-of-order chaos: the
// receiver sees the call's events in a shuffled order, while created_at
// still tells the true one. created_at is real time (the clock of
// X-MiniVoice-Timestamp) in whole seconds, so the steps are 1 s apart once
// scaled.
func TestChaosOutOfOrder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "steps.yaml")
	scenario := "name: four-steps\ndirection: inbound\nevents:\n" +
		"  - {event: call.created, after: 0s}\n  - {event: call.gathered, after: 20s}\n" +
		"  - {event: call.completed, after: 40s}\n  - {event: call.recording.ready, after: 60s}\n"
	if err := os.WriteFile(file, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := engNewSink(t, 0, 200)
	e, _ := engStart(t, Config{TimeScale: 0.05, ScenarioFiles: []string{file}})
	app := Application{WebhookURL: sink.URL, Chaos: Chaos{OutOfOrder: true}}
	call, ds, err := e.EnqueueCall(context.Background(), app, CallRequest{Scenario: "four-steps", From: "+15550000001"})
	if err != nil {
		t.Fatal(err)
	}
	engWait(t, e, ds)
	hits := engWaitHits(t, sink, 4)
	var got, created []string
	for _, h := range hits {
		var body struct {
			Event     string `json:"event"`
			CreatedAt string `json:"created_at"`
			Call      struct{ ID, From string }
		}
		if err := json.Unmarshal(h.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Call.ID != call.ID || body.Call.From != "+15550000001" {
			t.Errorf("event %s of call %s from %s, want call %s", body.Event, body.Call.ID, body.Call.From, call.ID)
		}
		got, created = append(got, body.Event), append(created, body.CreatedAt)
	}
	if slices.Equal(got, call.Events) {
		t.Errorf("events arrived in scenario order %v", got)
	}
	if slices.IsSorted(created) {
		t.Errorf("created_at %v arrived sorted: out-of-order did not reorder", created)
	}
	for _, d := range ds {
		if len(d.Chaos) == 0 || !strings.HasPrefix(d.Chaos[0], "out-of-order") {
			t.Errorf("delivery %s chaos %q, want out-of-order recorded", d.Event, d.Chaos)
		}
	}
}

// TestChaosJitter delays the first attempt by a random extra within bounds,
// recorded on the delivery and honoured in real (scaled) time.
func TestChaosJitter(t *testing.T) {
	const jitter, timeScale = 20 * time.Second, 0.01
	sink := engNewSink(t, 0, 200)
	e, _ := engStart(t, Config{TimeScale: timeScale})
	var delayed bool
	for range 3 {
		ds, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.created", Chaos: Chaos{Jitter: jitter}})
		if err != nil {
			t.Fatal(err)
		}
		d := engWait(t, e, ds)[0]
		_, as := engAttempts(t, e, d.ID)
		extra := as[0].ScheduledAt.Sub(d.CreatedAt)
		if extra < 0 || extra > jitter {
			t.Errorf("first attempt at +%s, want within [0, %s]", extra, jitter)
		}
		if len(d.Chaos) != 1 || d.Chaos[0] != "jitter +"+extra.Round(time.Millisecond).String() {
			t.Errorf("chaos %q, want jitter +%s", d.Chaos, extra.Round(time.Millisecond))
		}
		if real := as[0].SentAt.Sub(d.CreatedAt); real < scale(extra, timeScale)-2*time.Millisecond {
			t.Errorf("started %s after creation, before its jittered time %s", real, scale(extra, timeScale))
		}
		delayed = delayed || extra > 0
	}
	if !delayed {
		t.Error("no delivery was delayed: jitter not applied")
	}
}

// TestChaosLostAck: the receiver gets the whole request, the attempt is
// recorded as lost-ack and retried, and the retry is delivered.
func TestChaosLostAck(t *testing.T) {
	sink := engNewSink(t, 0, 200)
	e, _ := engStart(t, Config{})
	ds, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.created", Secrets: []string{"whsec_minivoice_test"},
		Schedule: engSchedule(t, "0s,20ms,40ms"), Chaos: Chaos{LostAck: 1}})
	if err != nil {
		t.Fatal(err)
	}
	d := engWait(t, e, ds)[0]
	d, as := engAttempts(t, e, d.ID)
	if d.Status != StatusDelivered || len(as) != 2 {
		t.Fatalf("status %s after %d attempts, want delivered after 2", d.Status, len(as))
	}
	if as[0].ErrorClass != ClassLostAck || as[1].ErrorClass != "" || as[1].Status != 200 {
		t.Errorf("attempts %q/%d then %q/%d, want lost-ack then 200", as[0].ErrorClass, as[0].Status, as[1].ErrorClass, as[1].Status)
	}
	if !slices.Contains(d.Chaos, "lost-ack on attempt 1") {
		t.Errorf("chaos %q, want the lost ack recorded", d.Chaos)
	}
	hits := engWaitHits(t, sink, 2)
	if len(hits) != 2 || !bytes.Equal(hits[0].body, d.Body) || !bytes.Equal(hits[1].body, d.Body) {
		t.Errorf("receiver got %d requests; want the full request twice", len(hits))
	}
}

// TestChaosExtremesDoNotOverflow: the largest jitter and schedule offset a
// user can type neither panic nor wrap into the past.
func TestChaosExtremesDoNotOverflow(t *testing.T) {
	e := engOpen(t, Config{}) // not running: nothing is sent
	huge := time.Duration(math.MaxInt64)
	ds, err := e.Enqueue(context.Background(), Send{URL: "http://127.0.0.1:9/x", Event: "call.created",
		Schedule: []time.Duration{0, huge}, Chaos: Chaos{Jitter: huge}})
	if err != nil {
		t.Fatal(err)
	}
	if d := ds[0]; d.NextAttemptAt.Before(d.CreatedAt) {
		t.Errorf("first attempt at %s, before creation %s", d.NextAttemptAt, d.CreatedAt)
	}
	for range 100 {
		if got := jittered(huge, 0.1); got < 0 {
			t.Fatalf("jittered(max, 0.1) = %s: wrapped negative", got)
		}
	}
}

// TestScenarioCreatedAtIsRealTime: under --time-scale a scenario's body
// created_at and its X-MiniVoice-Timestamp share one clock, so an event is
// never created after it was signed (it was minutes ahead).
func TestScenarioCreatedAtIsRealTime(t *testing.T) {
	file := filepath.Join(t.TempDir(), "steps.yaml")
	scenario := "name: two-steps\ndirection: inbound\nevents:\n" +
		"  - {event: call.created, after: 0s}\n  - {event: call.completed, after: 20s}\n"
	if err := os.WriteFile(file, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := engNewSink(t, 0, 200)
	e, _ := engStart(t, Config{TimeScale: 0.05, ScenarioFiles: []string{file}})
	app := Application{WebhookURL: sink.URL, Secrets: []string{"whsec_minivoice_test"}}
	_, ds, err := e.EnqueueCall(context.Background(), app, CallRequest{Scenario: "two-steps"})
	if err != nil {
		t.Fatal(err)
	}
	engWait(t, e, ds)
	for _, h := range engWaitHits(t, sink, 2) {
		var body struct {
			Event     string `json:"event"`
			CreatedAt string `json:"created_at"`
		}
		_ = json.Unmarshal(h.body, &body)
		at, err := time.Parse(time.RFC3339, body.CreatedAt)
		ts, _ := strconv.ParseInt(h.header.Get("X-MiniVoice-Timestamp"), 10, 64)
		if err != nil || ts == 0 || at.Unix() > ts {
			t.Errorf("%s: created_at %s after X-MiniVoice-Timestamp %d (%v)", body.Event, body.CreatedAt, ts, err)
		}
	}
}
