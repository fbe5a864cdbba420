package control_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/control"
	"github.com/minivoice/mvh/spec"
)

// ExampleClient drives a mock through its control API, as mvh mock trigger
// and mvh mock deliveries do: here the mock runs in-process, in real use it
// is `mvh mock serve` at http://127.0.0.1:8025.
func ExampleClient() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := spec.Default()
	eng, _ := mock.Open(ctx, s, mock.Config{DB: mock.MemoryDB})
	defer eng.Close()
	go func() { _ = eng.Run(ctx) }()
	srv, _ := control.NewServer(ctx, eng, s, control.ServerConfig{})
	api := httptest.NewServer(srv)
	defer api.Close()
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer receiver.Close()
	resp, _ := http.Post(api.URL+"/v1/applications", "application/json",
		strings.NewReader(`{"webhook_url":"`+receiver.URL+`","webhook_secret":"whsec_minivoice_test"}`))
	resp.Body.Close()

	c := control.Client{BaseURL: api.URL}
	apps, _ := c.Applications(ctx)
	ds, err := c.TriggerEvent(ctx, apps[0].ID, "call.created", control.Overrides{"call": {"id": []byte(`"call_42"`)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds[0].Event, ds[0].CallID, ds[0].EventKey)
	_, err = c.Resend(ctx, "dlv_nope")
	fmt.Println(err)
	// Output:
	// call.created call_42 call_42:call.created
	// mock POST /v1/deliveries/dlv_nope/resend: refused (404): delivery dlv_nope: not found
}
