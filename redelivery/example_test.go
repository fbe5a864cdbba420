package redelivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minivoice/mvh/redelivery"
	"github.com/minivoice/mvh/spec"
)

// A receiver that answers 429 to every first attempt still gets every
// event in: each shed delivery is sent again on the compressed schedule.
func ExampleRun() {
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	keys := []string{"call_1:call.created"}
	contract := spec.RetryPolicy{Schedule: []time.Duration{0, 5 * time.Second, 30 * time.Second}}
	policy := redelivery.Compress(contract, 100*time.Millisecond, 1)
	send := func(ctx context.Context, i, attempt int) redelivery.Answer {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{}`))
		resp, err := srv.Client().Do(req)
		if err != nil {
			return redelivery.Answer{}
		}
		resp.Body.Close()
		return redelivery.Answer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	}
	r := redelivery.Run(context.Background(), policy, keys, send)
	fmt.Println(r.Tally(map[string]int{"call_1:call.created": 1}))
	fmt.Printf("%d shed, %d retries\n", r.Shed, r.Retries)
	// Output:
	// 1 sent, 1 acked, 1 recorded exactly once, 0 lost, 0 duplicated, 0 never accepted, 0 unexpected
	// 1 shed, 1 retries
}
