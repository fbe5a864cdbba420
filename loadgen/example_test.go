package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/minivoice/mvh/loadgen"
	"github.com/minivoice/mvh/spec"
)

// ExampleRun loads a receiver that acknowledges everything at 100
// deliveries a second for half a second, a fifth of the events twice.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, _ := spec.Default()
	events := []string{"call.created"}
	bodies, _ := loadgen.Bodies(s, events, time.Now())
	r, err := loadgen.Run(context.Background(), loadgen.Options{
		URL: srv.URL, Secret: "whsec_minivoice_test", Rate: 100, Duration: 500 * time.Millisecond,
		Events: events, DupRatio: 0.2, Body: bodies,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("every event acked:", len(r.Acked) == len(r.Sent))
	fmt.Println("every delivery timed:", r.Latency.Count == int64(r.Deliveries))
	// Output:
	// every event acked: true
	// every delivery timed: true
}
