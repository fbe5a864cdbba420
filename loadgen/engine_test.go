package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/redelivery"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

const testSecret = "whsec_minivoice_test"

// store is a receiver on loopback: it verifies each delivery, then keeps
// one record per event key (or, with its bug switched on, misbehaves).
type store struct {
	bug string // "", "no-dedupe", "lossy", "shed", "500"

	mu      sync.Mutex
	records map[string]int
	seen    int
}

func (s *store) Counts(context.Context) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.records), nil
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := signature.NewVerifier(testSecret).VerifyRequest(r.Header, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var env struct {
		Data struct {
			EventKey string `json:"event_key"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Data.EventKey == "" {
		http.Error(w, "no event key", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen++
	k := env.Data.EventKey
	switch {
	case s.bug == "shed" && s.seen%4 == 0:
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case s.bug == "500" && s.seen%10 == 0:
		w.WriteHeader(http.StatusInternalServerError)
		return
	case s.bug == "lossy" && s.seen%10 == 0:
	case s.bug == "no-dedupe" || s.records[k] == 0:
		s.records[k]++
	}
	w.WriteHeader(http.StatusNoContent)
}

func serve(t *testing.T, bug string) (*store, string) {
	t.Helper()
	s := &store{bug: bug, records: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL + "/webhooks/minivoice"
}

func options(t *testing.T, url string) Options {
	t.Helper()
	sp, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	events := []string{"call.created", "call.completed"}
	bodies, err := Bodies(sp, events, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return Options{URL: url, Secret: testSecret, Rate: 200, Workers: 16, Duration: 500 * time.Millisecond,
		Events: events, DupRatio: 0.2, ConcurrentDups: true, Body: bodies, Seed: 7,
		Redelivery: redelivery.Policy{MaxWait: 50 * time.Millisecond, Until: time.Now().Add(20 * time.Second)}}
}

// TestAccounting runs both models against a correct receiver and against
// buggy ones; the accounting, never the rate, is asserted.
func TestAccounting(t *testing.T) {
	tests := []struct {
		name, bug  string
		rate       int
		outOfOrder bool
		lost, dups bool
		fail500    bool
	}{
		{name: "open model, correct", rate: 200},
		{name: "closed model, correct", rate: Max},
		{name: "out of order, correct", rate: 200, outOfOrder: true},
		{name: "shedding receiver, correct", bug: "shed", rate: 200},
		{name: "no dedupe", bug: "no-dedupe", rate: 200, dups: true},
		{name: "lossy", bug: "lossy", rate: 200, lost: true},
		{name: "5xx without shedding", bug: "500", rate: 200, fail500: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, url := serve(t, tt.bug)
			o := options(t, url)
			o.Rate, o.OutOfOrder = tt.rate, tt.outOfOrder
			if tt.rate == Max {
				o.Duration = 300 * time.Millisecond
			}
			ctx := context.Background()
			r, err := Run(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := Account(ctx, r, st, time.Second, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			tl := r.Tally
			if r.Copies == 0 || r.Deliveries < tl.Sent+r.Copies {
				t.Errorf("deliveries %d, copies %d, sent %d: the duplicates did not go out", r.Deliveries, r.Copies, tl.Sent)
			}
			if got := len(tl.Lost) > 0; got != tt.lost {
				t.Errorf("lost: %v, want lost %v (%s)", tl.Lost, tt.lost, tl)
			}
			if got := len(tl.Duplicated) > 0; got != tt.dups {
				t.Errorf("duplicated: %v, want duplicates %v (%s)", tl.Duplicated, tt.dups, tl)
			}
			if tt.bug == "shed" && (r.Shed == 0 || r.Redeliveries == 0 || len(tl.NeverAccepted) > 0) {
				t.Errorf("shed %d, redeliveries %d, never accepted %v: shed deliveries were not redelivered", r.Shed, r.Redeliveries, tl.NeverAccepted)
			}
			if (r.Server5xx > 0) != tt.fail500 {
				t.Errorf("%d answers 5xx without shedding, want some: %v", r.Server5xx, tt.fail500)
			}
			if r.Failed() != (tt.lost || tt.dups || tt.fail500) {
				t.Errorf("Failed() = %v for %s, %d 5xx", r.Failed(), tl, r.Server5xx)
			}
			if r.Latency.Count != int64(r.Deliveries) || r.Latency.P99 <= 0 || len(r.Timeline) == 0 {
				t.Errorf("latency %+v over %d deliveries, %d windows", r.Latency, r.Deliveries, len(r.Timeline))
			}
		})
	}
}

// TestMerge merges two runs and the sink's records: the totals are the
// sum of the runs' and the histogram holds every latency of both.
func TestMerge(t *testing.T) {
	st, url := serve(t, "")
	ctx := context.Background()
	var files []string
	var runs []*Result
	for i, prefix := range []string{"a", "b"} {
		o := options(t, url)
		o.CallPrefix, o.Duration = prefix, 500*time.Millisecond
		r, err := Run(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
		files = append(files, filepath.Join(t.TempDir(), prefix+".json"))
		if err := WriteFile(files[i], r); err != nil {
			t.Fatal(err)
		}
	}
	if err := Account(ctx, runs[1], st, time.Second, 10*time.Second); err != nil {
		t.Fatal(err) // waits until the records of both runs are in
	}
	counts, _ := st.Counts(ctx)
	sinkFile := filepath.Join(t.TempDir(), "sink.json")
	if err := WriteFile(sinkFile, &Records{Kind: RecordsKind, Key: "/event_key", Records: counts}); err != nil {
		t.Fatal(err)
	}
	var read []*Result
	var recs []*Records
	for _, f := range append(files, sinkFile) {
		r, rec, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if r != nil {
			read = append(read, r)
		} else {
			recs = append(recs, rec)
		}
	}
	m := Merge(read, recs)
	if m.Hosts != 2 || m.Deliveries != runs[0].Deliveries+runs[1].Deliveries || m.Copies != runs[0].Copies+runs[1].Copies {
		t.Errorf("merged %d hosts, %d deliveries, %d copies; want 2, %d, %d", m.Hosts, m.Deliveries, m.Copies,
			runs[0].Deliveries+runs[1].Deliveries, runs[0].Copies+runs[1].Copies)
	}
	if m.Latency.Count != runs[0].Latency.Count+runs[1].Latency.Count {
		t.Errorf("merged histogram holds %d latencies, want %d", m.Latency.Count, runs[0].Latency.Count+runs[1].Latency.Count)
	}
	if m.Latency.Max != max(runs[0].Latency.Max, runs[1].Latency.Max) {
		t.Errorf("merged max %s, want the larger of %s and %s", m.Latency.Max, runs[0].Latency.Max, runs[1].Latency.Max)
	}
	tl := m.Tally
	if tl == nil || tl.Sent != len(runs[0].Sent)+len(runs[1].Sent) || tl.RecordedOnce != tl.Sent || !tl.OK() {
		t.Errorf("merged tally %v, want every one of %d keys recorded once", tl, len(runs[0].Sent)+len(runs[1].Sent))
	}
	if _, _, err := ReadFile(filepath.Join("testdata", "missing.json")); err == nil {
		t.Error("a missing file read without error")
	}
}
