package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/minivoice/mvh/loadgen"
	"github.com/minivoice/mvh/spec"
)

// Target: mvh load --rate max reaches ≥ 0.9× vegeta's throughput with the
// same workers, receiver and body size.
const (
	vsWorkers  = 16
	vsDuration = time.Second
	vsRounds   = 10
)

// BenchmarkLoadVsVegeta loads one minimal 2xx receiver on loopback in
// turns: loadgen's closed model (signing every delivery afresh, as mvh
// load does) and vegeta's attacker at rate 0 (as fast as its workers go),
// each with vsWorkers workers and the same call.created body, vsRounds
// times each, in short rounds that alternate which goes first, so that
// neither gets the quieter moments of a shared machine; the ratio is of
// the sums.
func BenchmarkLoadVsVegeta(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, err := spec.Default()
	if err != nil {
		b.Fatal(err)
	}
	events := []string{"call.created"}
	bodies, err := loadgen.Bodies(s, events, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	body, _ := bodies("call.created", "call_mvh_00000000_1")
	var mvh, veg float64
	for b.Loop() {
		for i := range vsRounds {
			if i%2 == 0 { // each goes first in half of the rounds
				mvh += mvhThroughput(b, srv.URL, events, bodies)
				veg += vegetaThroughput(srv.URL, body)
			} else {
				veg += vegetaThroughput(srv.URL, body)
				mvh += mvhThroughput(b, srv.URL, events, bodies)
			}
		}
	}
	b.ReportMetric(mvh/vsRounds/float64(b.N), "mvh-req/s")
	b.ReportMetric(veg/vsRounds/float64(b.N), "vegeta-req/s")
	b.ReportMetric(mvh/veg, "mvh/vegeta")
	b.ReportMetric(float64(len(body)), "body-B")
}

func mvhThroughput(b *testing.B, url string, events []string, bodies func(string, string) ([]byte, error)) float64 {
	r, err := loadgen.Run(context.Background(), loadgen.Options{URL: url, Secret: "whsec_minivoice_test",
		Rate: loadgen.Max, Workers: vsWorkers, Duration: vsDuration, Events: events, Body: bodies})
	if err != nil {
		b.Fatal(err)
	}
	if r.Status["2xx"] != r.Deliveries {
		b.Fatalf("mvh: %d of %d deliveries 2xx: %v %v", r.Status["2xx"], r.Deliveries, r.Status, r.Errors)
	}
	return float64(r.Status["2xx"]) / r.Sending.Seconds()
}

func vegetaThroughput(url string, body []byte) float64 {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: url, Body: body,
		Header: http.Header{"Content-Type": []string{"application/json"}}})
	a := vegeta.NewAttacker(vegeta.Workers(vsWorkers), vegeta.MaxWorkers(vsWorkers), vegeta.Connections(vsWorkers), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for res := range a.Attack(tr, vegeta.Rate{Freq: 0, Per: time.Second}, vsDuration, "bench") {
		m.Add(res)
	}
	m.Close()
	return m.Throughput
}
