package main

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/minivoice/mvh/receivers/internal/receivertest"

	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// scenario drives a receiver and sums up what it did in a short string.
type scenario func(t *testing.T, h *harness) string

// TestDefects runs each defect's scenario twice: without a defect the
// receiver must do the right thing (good), with it the documented wrong thing
// (bad). Together they show that each defect changes exactly the behaviour
// it is named for.
func TestDefects(t *testing.T) {
	tests := []struct {
		defect    string
		scenario  scenario
		good, bad string
	}{
		{acceptUnsigned, postStatus(nil, func(b []byte) http.Header { return http.Header{} }), "401", "200"},
		{acceptWrongSecret, postStatus(nil, signedWith(0, signedBy("whsec_wrong"))), "401", "200"},
		{skipTimestampCheck, postStatus(nil, signedWith(-10*time.Minute, nil)), "401", "200"},
		{acceptFuture, postStatus(nil, signedWith(10*time.Minute, nil)), "401", "200"},
		{reserializeBody, postStatus([]byte("{\"event\": \"call.created\",\n \"call\": {\"id\": \"c\", \"to\": \"\\u002b1\"}, \"n\": 1.0}"), signedWith(0, nil)), "200", "401"},
		{firstSignatureOnly, postStatus(nil, signedWith(0, signedBy("whsec_old", receivertest.Secret))), "200", "401"},
		{rejectUnknownScheme, postStatus(nil, signedWith(0, func(b []byte, ts int64) string { return "v0=garbage," + signature.Sign(ts, b, receivertest.Secret) })), "200", "400"},
		{status500BadSig, postStatus(nil, signedWith(0, signedBy("whsec_wrong"))), "401", "500"},
		{malformedJSON500, postStatus([]byte(`{"event":`), signedWith(0, nil)), "400", "500"},
		{strictFields, postStatus(bytes.Replace(receivertest.Envelope("c", "call.created"), []byte(`"variables":{}`), []byte(`"variables":{},"region":"eu"`), 1), signedWith(0, nil)), "200", "400"},
		{rejectUnknownEvent, postStatus(receivertest.Envelope("c", "call.teleported"), signedWith(0, nil)), "200", "400"},
		{oversized500, postStatus(bytes.Repeat([]byte(" "), 5<<20), signedWith(0, nil)), "413", "500"},
		{get200, getStatus, "405", "200"},
		{conflictOnDuplicate, deliveries("c", "call.created", "call.created"), "200 200 records=1", "200 409 records=1"},
		{noDedupe, deliveries("c", "call.created", "call.created"), "200 200 records=1", "200 200 records=2"},
		{dedupeByCallID, deliveries("c", "call.created", "call.completed"), "200 200 records=2", "200 200 records=1"},
		{racyDedupe, parallelDuplicates, "10 x 200, one record", "10 x 200, several records"},
		{rejectOutOfOrder, deliveries("c", "call.completed", "call.created"), "200 200 records=2", "200 409 records=1"},
		{syncDownstream, ackWithSlowSink, "fast ack", "slow ack"},
		{slowAck, ackWithSlowSink, "fast ack", "slow ack"},
		{recordBeforeVerify, rejectedThenCounted, "401 records=0", "401 records=1"},
		{crashOnOversized, crashes, "413 exits=[]", "exits=[1]"},
		{window60s, postStatus(nil, signedWith(-200*time.Second, nil)), "200", "401"},
		{toleranceMargin, postStatus(nil, signedWith(400*time.Second, nil)), "401", "200"},
		{prefixCompare, postStatus(nil, signedWith(0, func([]byte, int64) string { return "v1=" })), "400", "200"},
		{dedupeByBody, bodies(receivertest.Envelope("c", "call.created"), bytes.Replace(receivertest.Envelope("c", "call.created"), []byte("12:00:00Z"), []byte("12:01:00Z"), 1)), "200 200 records=1", "200 200 records=2"},
		{shortDedupeCache, afterTTL, "200 200 records=1", "200 200 records=2"},
		{nonASCII500, postStatus(bytes.Replace(receivertest.Envelope("c", "call.created"), []byte("+15551230001"), []byte("+1 (555) 東京"), 1), signedWith(0, nil)), "200", "500"},
		{missingRequired500, postStatus(bytes.Replace(receivertest.Envelope("c", "call.created"), []byte(`"direction":"inbound",`), nil, 1), signedWith(0, nil)), "200", "500"},
		{dropFractionalTime, bodies(bytes.Replace(receivertest.Envelope("c", "call.created"), []byte("12:00:00Z"), []byte("12:00:00.25Z"), 1)), "200 records=1", "200 records=0"},
	}
	// These need a restart, a refusing downstream or load; each has its own
	// test: TestCrashDefects, TestForwardNoRetry, TestUnderLoad.
	elsewhere := []string{ackBeforeStore, memoryDedupe, volatileForward, forwardNoRetry, lossyQueue}
	if len(tests)+len(elsewhere) != len(defects()) {
		t.Fatalf("%d scenarios and %d tested elsewhere for %d defects", len(tests), len(elsewhere), len(defects()))
	}
	for _, tt := range tests {
		t.Run(tt.defect, func(t *testing.T) {
			t.Parallel()
			if got := tt.scenario(t, start(t, "")); got != tt.good {
				t.Errorf("without a defect: %q, want %q", got, tt.good)
			}
			if got := tt.scenario(t, start(t, tt.defect)); got != tt.bad {
				t.Errorf("with %s: %q, want %q", tt.defect, got, tt.bad)
			}
		})
	}
}

// postStatus posts body (default a call.created envelope) with the headers
// hdr builds for it and returns the status.
func postStatus(body []byte, hdr func([]byte) http.Header) scenario {
	return func(t *testing.T, h *harness) string {
		b := body
		if b == nil {
			b = receivertest.Envelope("c", "call.created")
		}
		return strconv.Itoa(send(t, http.MethodPost, h.url, hdr(b), b))
	}
}

// signedWith signs at now+skew; sig, when set, makes the signature header
// value for the body at that timestamp.
func signedWith(skew time.Duration, sig func(body []byte, ts int64) string) func([]byte) http.Header {
	return func(b []byte) http.Header {
		ts := time.Now().Add(skew)
		if sig == nil {
			return headers(b, ts, "")
		}
		return headers(b, ts, sig(b, ts.Unix()))
	}
}

// signedBy signs with secrets instead of the receiver's secret.
func signedBy(secrets ...string) func([]byte, int64) string {
	return func(b []byte, ts int64) string { return signature.Sign(ts, b, secrets...) }
}

func getStatus(t *testing.T, h *harness) string {
	return strconv.Itoa(send(t, http.MethodGet, h.url, nil, nil))
}

// deliveries sends events of one call in order and reports each status and
// the number of records stored.
func deliveries(callID string, events ...string) scenario {
	return func(t *testing.T, h *harness) string {
		var out bytes.Buffer
		for _, ev := range events {
			fmt.Fprintf(&out, "%d ", receivertest.Deliver(t, h.url, receivertest.Envelope(callID, ev)))
		}
		fmt.Fprintf(&out, "records=%d", h.records(t))
		return out.String()
	}
}

// bodies delivers each body validly signed and reports each status and the
// number of records stored.
func bodies(bs ...[]byte) scenario {
	return func(t *testing.T, h *harness) string {
		var out bytes.Buffer
		for _, b := range bs {
			fmt.Fprintf(&out, "%d ", receivertest.Deliver(t, h.url, b))
		}
		fmt.Fprintf(&out, "records=%d", h.records(t))
		return out.String()
	}
}

// afterTTL redelivers an event once short-dedupe-cache's entry expired.
func afterTTL(t *testing.T, h *harness) string {
	body := receivertest.Envelope("c", "call.created")
	first := receivertest.Deliver(t, h.url, body)
	time.Sleep(dedupeTTL + 100*time.Millisecond) // the cache's expiry, not a race
	return fmt.Sprintf("%d %d records=%d", first, receivertest.Deliver(t, h.url, body), h.records(t))
}

func parallelDuplicates(t *testing.T, h *harness) string {
	statuses := receivertest.DeliverAll(t, h.url, receivertest.Envelope("c", "call.created"), 10)
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		}
	}
	records := "one record"
	if n := h.records(t); n > 1 {
		records = "several records"
	}
	return fmt.Sprintf("%d x 200, %s", ok, records)
}

// ackWithSlowSink times the answer while the downstream takes 1.2 s.
func ackWithSlowSink(t *testing.T, h *harness) string {
	h.sink.Delay(1200 * time.Millisecond)
	began := time.Now()
	if got := receivertest.Deliver(t, h.url, receivertest.Envelope("c", "call.created")); got != http.StatusOK {
		return strconv.Itoa(got)
	}
	if time.Since(began) > time.Second {
		return "slow ack"
	}
	return "fast ack"
}

// rejectedThenCounted sends a wrong-secret delivery and counts what was kept.
func rejectedThenCounted(t *testing.T, h *harness) string {
	body := receivertest.Envelope("c", "call.created")
	status := send(t, http.MethodPost, h.url, signedWith(0, signedBy("whsec_wrong"))(body), body)
	return fmt.Sprintf("%d records=%d", status, h.records(t))
}

// crashes posts an oversized body and reports the answer and whether the
// receiver asked to exit; the real os.Exit is covered by TestCrashExits.
func crashes(t *testing.T, h *harness) string {
	body := bytes.Repeat([]byte(" "), 5<<20)
	status := send(t, http.MethodPost, h.url, headers(body, time.Now(), ""), body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.exited) > 0 {
		return fmt.Sprintf("exits=%v", h.exited)
	}
	return fmt.Sprintf("%d exits=%v", status, h.exited)
}

// TestForwardsEachNewEventOnce shows the no-defect baseline the suites rely
// on: one downstream record per (call.id, event), whatever the redeliveries.
func TestForwardsEachNewEventOnce(t *testing.T) {
	h := start(t, "")
	for _, ev := range []string{"call.created", "call.created", "call.completed", "call.created"} {
		if got := receivertest.Deliver(t, h.url, receivertest.Envelope("call_fw", ev)); got != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", ev, got)
		}
	}
	h.records(t)
	got := h.sink.Keys()
	slices.Sort(got)
	if want := []string{"call_fw:call.completed", "call_fw:call.created"}; !slices.Equal(got, want) {
		t.Errorf("downstream got %v, want %v", got, want)
	}
}
