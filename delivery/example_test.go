package delivery_test

import (
	"context"
	"fmt"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec/signature"
)

// A check that wants a receiver to reject a stale delivery builds it with
// the one vocabulary of signing; the timestamp is DefaultSkew in the past.
func ExampleRequest_Build() {
	now := time.Unix(1780056000, 0)
	req, err := delivery.Request{
		URL:     "http://127.0.0.1:8080/webhooks/minivoice",
		Event:   "call.created",
		Body:    []byte(`{"event":"call.created"}`),
		Signing: delivery.SignStale,
		Secrets: []string{"whsec_minivoice_test"},
		Now:     now,
	}.Build(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.Header.Get(signature.EventHeader), req.Header.Get(signature.TimestampHeader))
	// Output: POST call.created 1780055400
}

// Headers alone is what fixtures and reproductions use.
func ExampleHeaders() {
	h, _ := delivery.Headers(delivery.SignRotation, time.Unix(1780056000, 0), []byte(`{}`), 0, "whsec_minivoice_test")
	fmt.Println(len(h), h[signature.TimestampHeader])
	// Output: 2 1780056000
}
