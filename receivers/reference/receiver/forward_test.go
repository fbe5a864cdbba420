package receiver

import (
	"encoding/json"
	"net/http"
	"slices"

	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

func TestRedeliveryIsOneRecordForwardedOnce(t *testing.T) {
	h := start(t, true)
	body := envelopeJSON("call_redeliver", "call.created")
	for i := range 3 {
		if got := deliver(t, h.url, body); got != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200", i+1, got)
		}
	}
	h.settled(t, 1)
	requests, records := h.sink.Snapshot()
	if requests != 1 || len(records) != 1 {
		t.Fatalf("sink got %d requests, %d records; want 1, 1", requests, len(records))
	}
	rec := records[0]
	if rec.EventKey != "call_redeliver:call.created" || rec.CallID != "call_redeliver" || rec.Event != "call.created" {
		t.Errorf("record = %+v", rec)
	}
	var got, want any
	_ = json.Unmarshal(rec.Envelope, &got)
	_ = json.Unmarshal(body, &want)
	if !jsonEqual(got, want) {
		t.Errorf("envelope = %s, want %s", rec.Envelope, body)
	}
}

func TestConcurrentIdenticalDeliveriesAreOneRecord(t *testing.T) {
	h := start(t, true)
	statuses := receivertest.DeliverAll(t, h.url, envelopeJSON("call_concurrent", "call.created"), 10)
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("delivery %d: status %d, want 200", i, s)
		}
	}
	h.settled(t, 1)
	if n := h.count(t, "events"); n != 1 {
		t.Errorf("events = %d, want 1", n)
	}
}

func TestEventsOfOneCallInAnyOrder(t *testing.T) {
	tests := []struct {
		name   string
		events []string
	}{
		{"in order", []string{"call.created", "call.completed"}},
		{"out of order", []string{"call.completed", "call.created"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, true)
			for _, ev := range tt.events {
				if got := deliver(t, h.url, envelopeJSON("call_1", ev)); got != http.StatusOK {
					t.Fatalf("%s: status %d, want 200", ev, got)
				}
			}
			h.settled(t, 2)
			_, records := h.sink.Snapshot()
			var keys []string
			for _, r := range records {
				keys = append(keys, r.EventKey)
			}
			slices.Sort(keys)
			if want := []string{"call_1:call.completed", "call_1:call.created"}; !slices.Equal(keys, want) {
				t.Errorf("records = %v, want %v", keys, want)
			}
		})
	}
}

func TestForwarderRetriesUntil2xx(t *testing.T) {
	h := start(t, true)
	h.sink.FailFirst(2)
	if got := deliver(t, h.url, envelopeJSON("call_retry", "call.created")); got != http.StatusOK {
		t.Fatalf("status %d, want 200: a failing downstream must not fail the webhook", got)
	}
	h.settled(t, 1)
	requests, records := h.sink.Snapshot()
	if requests != 3 || len(records) != 1 {
		t.Errorf("sink got %d requests, %d records; want 3 (two failed), 1", requests, len(records))
	}
	var attempts int
	_ = h.store.db.QueryRow(`SELECT attempts FROM outbox`).Scan(&attempts)
	if attempts != 3 {
		t.Errorf("attempts = %d, want 3", attempts)
	}
}

func TestSlowDownstreamDoesNotDelayAck(t *testing.T) {
	h := start(t, true)
	release := h.sink.Hold()
	for i, id := range []string{"call_slow_1", "call_slow_2"} {
		began := time.Now()
		if got := deliver(t, h.url, envelopeJSON(id, "call.created")); got != http.StatusOK {
			t.Fatalf("status %d, want 200", got)
		}
		if took := time.Since(began); took > 500*time.Millisecond {
			t.Errorf("ack %d took %s while the downstream hangs", i+1, took)
		}
	}
	eventually(t, 5*time.Second, func() bool { n, _ := h.sink.Snapshot(); return n == 2 })
	release()
	h.settled(t, 2)
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
