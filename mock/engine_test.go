package mock

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// TestScheduleAndJitterUnderTimeScale checks that recorded scheduled times
// stay in schedule time within ±jitter of each offset, and that the measured
// real spacing of attempts at the receiver is the scaled schedule.
func TestScheduleAndJitterUnderTimeScale(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		scale    float64
	}{
		{"spec-like offsets at 1/100", "0s,10s,30s,60s", 0.01},
		{"hours at 1/20000", "0s,30m,1h,2h", 0.00002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := engNewSink(t, 0, http.StatusInternalServerError)
			e, _ := engStart(t, Config{TimeScale: tt.scale})
			j := e.policy.Jitter
			sched := engSchedule(t, tt.schedule)
			ds, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.created", Schedule: sched})
			if err != nil {
				t.Fatal(err)
			}
			d := engWait(t, e, ds)[0]
			d, as := engAttempts(t, e, d.ID)
			if d.Status != StatusFailed || len(as) != len(sched) {
				t.Fatalf("status %s after %d attempts, want failed after %d", d.Status, len(as), len(sched))
			}
			hits := engWaitHits(t, sink, len(sched))
			exact := 0
			for i := range as {
				engCheckTiming(t, d, as, hits, sched, i, j, tt.scale)
				if as[i].ScheduledAt.Sub(d.CreatedAt) == sched[i] {
					exact++
				}
			}
			if j > 0 && exact == len(sched) {
				t.Errorf("every attempt at its exact offset: no jitter applied")
			}
		})
	}
}

// engCheckTiming checks attempt i of d: scheduled within ±j of its offset
// (schedule time), started at the scaled time (real time), and spaced from
// the previous attempt as the scaled, jittered schedule allows.
func engCheckTiming(t *testing.T, d Delivery, as []Attempt, hits []engHit, sched []time.Duration, i int, j, f float64) {
	t.Helper()
	off := as[i].ScheduledAt.Sub(d.CreatedAt)
	lo, hi := time.Duration(float64(sched[i])*(1-j)), time.Duration(float64(sched[i])*(1+j))
	if off < lo || off > hi {
		t.Errorf("attempt %d scheduled at +%s, want within [%s, %s]", i+1, off, lo, hi)
	}
	// One clock in the records: an attempt never starts, in schedule time,
	// before it was scheduled; its real send time is beside it.
	if as[i].StartedAt.Before(as[i].ScheduledAt) {
		t.Errorf("attempt %d started at %s, before it was scheduled at %s", i+1, as[i].StartedAt, as[i].ScheduledAt)
	}
	real := as[i].SentAt.Sub(d.CreatedAt)
	want := scale(off, f)
	if real < want-2*time.Millisecond || real > want+150*time.Millisecond {
		t.Errorf("attempt %d started at +%s real, want ~%s", i+1, real, want)
	}
	if i == 0 {
		return
	}
	// Spacing measured at the receiver from when the previous attempt was
	// due, so a late previous attempt (a busy machine) does not shrink it.
	prevDue := d.CreatedAt.Add(scale(as[i-1].ScheduledAt.Sub(d.CreatedAt), f))
	gap := hits[i].at.Sub(prevDue)
	minGap := scale(time.Duration(float64(sched[i])*(1-j)-float64(sched[i-1])*(1+j)), f)
	maxGap := scale(time.Duration(float64(sched[i])*(1+j)-float64(sched[i-1])*(1-j)), f)
	if gap < minGap-2*time.Millisecond || gap > maxGap+150*time.Millisecond {
		t.Errorf("attempt %d arrived %s after attempt %d was due, want within [%s, %s]", i+1, gap, i, minGap, maxGap)
	}
}

// TestEveryAttemptSignedAfreshSameBody spaces two attempts more than a
// second apart so their timestamps must differ, and checks every attempt
// verifies and carries the identical body.
func TestEveryAttemptSignedAfreshSameBody(t *testing.T) {
	const secret, old = "whsec_minivoice_test", "whsec_rotated_out"
	sink := engNewSink(t, 0, 500, 200)
	e, _ := engStart(t, Config{})
	ds, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.completed",
		Secrets: []string{secret, old}, Schedule: engSchedule(t, "0s,1100ms")})
	if err != nil {
		t.Fatal(err)
	}
	if d := engWait(t, e, ds)[0]; d.Status != StatusDelivered || d.Attempts != 2 {
		t.Fatalf("status %s after %d attempts, want delivered after 2", d.Status, d.Attempts)
	}
	hits := engWaitHits(t, sink, 2)
	var stamps []int64
	for i, h := range hits {
		v := signature.Verifier{Secrets: []string{secret}, Now: func() time.Time { return h.at }}
		if err := v.VerifyRequest(h.header, h.body); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		if !bytes.Equal(h.body, ds[0].Body) {
			t.Errorf("attempt %d body differs from the enqueued bytes", i+1)
		}
		if got := h.header.Get(signature.EventHeader); got != "call.completed" {
			t.Errorf("attempt %d event header %q", i+1, got)
		}
		if n := strings.Count(h.header.Get(signature.SignatureHeader), "v1="); n != 2 {
			t.Errorf("attempt %d has %d signatures, want one per secret", i+1, n)
		}
		ts, _ := strconv.ParseInt(h.header.Get(signature.TimestampHeader), 10, 64)
		if d := h.at.Unix() - ts; d < 0 || d > 1 {
			t.Errorf("attempt %d signed at %d, received at %d: not signed at send time", i+1, ts, h.at.Unix())
		}
		stamps = append(stamps, ts)
	}
	if stamps[1] <= stamps[0] {
		t.Errorf("timestamps %v: the retry was not signed afresh", stamps)
	}
}

// retryCase is one failure class TestRetriesPerFailureClass sends into.
type retryCase struct {
	name, url, class, status string
	attempts, hits           int
	sink                     *engSink // nil when nothing answers
}

// TestRetriesPerFailureClass proves each kind of failure is retried on the
// schedule and recorded with its class, and that a 2xx stops retrying.
func TestRetriesPerFailureClass(t *testing.T) {
	fail500 := engNewSink(t, 0, 500)
	slow := engNewSink(t, 5*time.Second, 200)
	ok := engNewSink(t, 0, 200)
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}
	}))
	t.Cleanup(reset.Close)
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshakes are the point
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	tests := []retryCase{
		{"500 is retried", fail500.URL, ClassHTTP, StatusFailed, 3, 3, fail500},
		{"timeout is retried", slow.URL, ClassTimeout, StatusFailed, 3, 3, slow},
		{"refused is retried", engClosedPort(t), ClassRefused, StatusFailed, 3, 0, nil},
		{"reset is retried", reset.URL, ClassReset, StatusFailed, 3, 0, nil},
		{"untrusted certificate is retried", selfSigned.URL, ClassTLS, StatusFailed, 3, 0, nil},
		{"plain HTTP behind https is retried", strings.Replace(fail500.URL, "http:", "https:", 1), ClassTLS, StatusFailed, 3, 0, nil},
		{"2xx stops retrying", ok.URL, "", StatusDelivered, 1, 1, ok},
	}
	// The attempt timeout leaves a TLS handshake time on a loaded machine
	// (under -race it took over 500 ms), and slow stays well beyond it.
	e, _ := engStart(t, Config{AttemptTimeout: 1500 * time.Millisecond})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { engCheckRetries(t, e, tt) })
	}
}

// engCheckRetries sends one delivery on a 3-attempt schedule and checks its
// outcome, each attempt's class, and that the receiver got no more requests
// than the attempts recorded.
func engCheckRetries(t *testing.T, e *Engine, tt retryCase) {
	t.Helper()
	ds, err := e.Enqueue(context.Background(), Send{URL: tt.url, Event: "call.created",
		Schedule: engSchedule(t, "0s,20ms,40ms")})
	if err != nil {
		t.Fatal(err)
	}
	d := engWait(t, e, ds)[0]
	d, as := engAttempts(t, e, d.ID)
	if d.Status != tt.status || len(as) != tt.attempts {
		t.Fatalf("status %s after %d attempts, want %s after %d", d.Status, len(as), tt.status, tt.attempts)
	}
	for _, a := range as {
		if a.ErrorClass != tt.class {
			t.Errorf("attempt %d class %q (%s), want %q", a.N, a.ErrorClass, a.Error, tt.class)
		}
	}
	if last := as[len(as)-1]; last.NextRetryAt != nil {
		t.Errorf("last attempt has a next retry at %s", last.NextRetryAt)
	}
	if tt.sink == nil {
		return
	}
	// No sleep: a probe due after the schedule's end reaches the receiver
	// only once the scheduler has passed every due time of the delivery, so
	// a stray retry would have arrived before it.
	probe, err := e.Enqueue(context.Background(), Send{URL: tt.url, Event: "call.created",
		Delay: 100 * time.Millisecond, Schedule: []time.Duration{0}})
	if err != nil {
		t.Fatal(err)
	}
	engWait(t, e, probe)
	if hits, _ := tt.sink.snapshot(); len(hits) != tt.hits+1 {
		t.Errorf("receiver got %d requests besides the probe, want %d", len(hits)-1, tt.hits)
	}
}

// TestAttemptRecordsAnswer checks status, headers and the 4 KiB cap.
func TestAttemptRecordsAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Receiver", "yes")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write(bytes.Repeat([]byte("a"), 10000))
	}))
	t.Cleanup(srv.Close)
	e, _ := engStart(t, Config{})
	ds, err := e.Enqueue(context.Background(), Send{URL: srv.URL, Event: "call.created"})
	if err != nil {
		t.Fatal(err)
	}
	engWait(t, e, ds)
	_, as := engAttempts(t, e, ds[0].ID)
	a := as[0]
	if a.Status != 202 || a.ErrorClass != "" || a.ResponseHeaders["X-Receiver"] != "yes" || len(a.ResponseBody) != keepBody {
		t.Errorf("attempt = status %d class %q header %q body %d bytes", a.Status, a.ErrorClass,
			a.ResponseHeaders["X-Receiver"], len(a.ResponseBody))
	}
	if a.StartedAt.IsZero() || a.Latency <= 0 || a.StartedAt.Before(ds[0].CreatedAt) {
		t.Errorf("attempt started %s (delivery created %s), latency %s: want a start and a positive latency",
			a.StartedAt, ds[0].CreatedAt, a.Latency)
	}
}

// TestPerEndpointLimit sends to a slow receiver with more workers than the
// per-endpoint limit: the receiver never sees more than the limit at once,
// and a second endpoint is served meanwhile.
func TestPerEndpointLimit(t *testing.T) {
	const limit, n = 3, 12
	slow := engNewSink(t, 100*time.Millisecond, 200)
	fast := engNewSink(t, 0, 200)
	e, _ := engStart(t, Config{Workers: 10, PerEndpoint: limit})
	var all []Delivery
	for range n {
		ds, err := e.Enqueue(context.Background(), Send{URL: slow.URL, Event: "call.created"})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ds...)
	}
	other, err := e.Enqueue(context.Background(), Send{URL: fast.URL, Event: "call.created"})
	if err != nil {
		t.Fatal(err)
	}
	engWait(t, e, other)
	if hits, _ := slow.snapshot(); len(hits) >= n {
		t.Errorf("the fast endpoint waited for all %d slow deliveries", n)
	}
	for _, d := range engWait(t, e, all) {
		if d.Status != StatusDelivered {
			t.Errorf("delivery %s %s", d.ID, d.Status)
		}
	}
	if _, peak := slow.snapshot(); peak != limit {
		t.Errorf("peak concurrency at the slow receiver %d, want %d", peak, limit)
	}
}
