package framework

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/catalogue"
)

// shedEnv is an Env whose receiver is a loopback server, without observer.
type shedEnv struct {
	sinkEnv
	url string
}

func (e shedEnv) URL() string    { return e.url }
func (e shedEnv) Secret() string { return "whsec_minivoice_test" }

// TestSendMeetsBackpressure: a delivery that wants a 2xx is sent again
// while it is shed and judged on the answer it got in the end; one that
// wants a 4xx is sent once; SendUntilAccepted sends no copy of an
// accepted event again.
func TestSendMeetsBackpressure(t *testing.T) {
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := seen.Add(1); n <= 2 || r.Header.Get("X-Minivoice-Signature") == "" {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := &Case{f: New(Config{}, s, catalogue.Catalogue{}, shedEnv{url: srv.URL + "/webhooks/minivoice"})}
	ctx := context.Background()

	x := c.Send(ctx, c.Valid("valid", "call.created", c.CallID()))
	if x.Response == nil || x.Response.Status != http.StatusNoContent || len(c.ev.Exchanges) != 3 {
		t.Fatalf("answer %s after %d exchanges; want 204 after 3 (two shed)", Answer(x), len(c.ev.Exchanges))
	}
	if !strings.Contains(strings.Join(c.ev.Notes, "\n"), "shed 2 times, then 204 after 3 attempts") {
		t.Errorf("notes %q do not say it was shed", c.ev.Notes)
	}

	unsigned := Delivery{Label: "unsigned", Event: "call.created", Body: c.Payload("call.created", c.CallID()), Signed: delivery.SignNone, Expect: "4xx"}
	before := len(c.ev.Exchanges)
	if x := c.Send(ctx, unsigned); x.Response == nil || x.Response.Status != http.StatusTooManyRequests || len(c.ev.Exchanges) != before+1 {
		t.Errorf("a delivery that wants a 4xx: %s after %d exchanges, want one 429", Answer(x), len(c.ev.Exchanges)-before)
	}

	d := c.Valid("copy", "call.completed", c.CallID())
	acc := c.SendUntilAccepted(ctx, 1, []Delivery{d, d, d})
	if !acc.Acked[d.Key] || acc.Retries != 0 || len(acc.Sent) != 3 {
		t.Errorf("acked %v, retries %d, sent %d: want accepted by the first copy, 3 sent, none again", acc.Acked, acc.Retries, len(acc.Sent))
	}
}
