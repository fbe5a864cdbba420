package reporters

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserMockLogPage opens `mvh mock serve`'s delivery log page in
// headless Chromium after one real delivery: applications, deliveries, a
// delivery's attempts, and the resend button, which must start a new
// delivery through the control API.
func TestBrowserMockLogPage(t *testing.T) {
	ctx := browser(t)
	bin := buildBinaries(t)
	received := make(chan struct{}, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	addr := freeAddr(t)
	base := "http://" + addr
	startProcess(t, base+"/healthz", filepath.Join(bin, "mvh"), "mock", "serve", "--addr", addr,
		"--db", filepath.Join(t.TempDir(), "mvh.db"), "--time-scale", "0.001")
	var app struct{ ID string }
	postJSON(t, base+"/v1/applications", map[string]any{"name": "browser test", "webhook_url": recv.URL + "/webhooks/minivoice",
		"webhook_secret": "whsec_minivoice_test"}, &app)
	var sent struct{ Deliveries []struct{ ID string } }
	postJSON(t, base+"/v1/events", map[string]any{"application_id": app.ID, "event": "call.created"}, &sent)
	if len(sent.Deliveries) == 0 {
		t.Fatal("no delivery created")
	}
	id := sent.Deliveries[0].ID
	waitDelivered(t, base, id)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#applications .application").length`); n != 1 {
		t.Errorf("%d applications listed, want 1", n)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#deliveries .delivery").length`); n != 1 {
		t.Errorf("%d deliveries listed, want 1", n)
	}
	screenshot(t, ctx, "mock-log-index.png")
	for filter, want := range map[string]int{"?status=delivered": 1, "?status=failed": 0, "?call_id=call_nobody": 0} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"+filter)); err != nil {
			t.Fatal(err)
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#deliveries .delivery").length`); n != want {
			t.Errorf("filter %s lists %d deliveries, want %d", filter, n, want)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/deliveries/"+id)); err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#attempts .attempt").length`); n < 1 {
		t.Errorf("%d attempts shown, want at least 1", n)
	}
	if !evalJS[bool](t, ctx, `document.querySelector("form.resend") !== null`) {
		t.Fatal("no resend form")
	}
	screenshot(t, ctx, "mock-log-delivery.png")
	resend(t, ctx, id, received)
}

// resend clicks the resend button and expects to land on a new delivery
// that reaches the receiver.
func resend(t *testing.T, ctx context.Context, id string, received chan struct{}) {
	t.Helper()
	for len(received) > 0 {
		<-received
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form.resend button")), chromedp.WaitVisible(chromedp.ID("delivery-id"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for evalJS[string](t, ctx, `location.pathname`) == "/deliveries/"+id && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // bounded: the redirect follows the click
	}
	if path := evalJS[string](t, ctx, `location.pathname`); !strings.HasPrefix(path, "/deliveries/") || path == "/deliveries/"+id {
		t.Errorf("after resend the page is %s, want a new delivery", path)
	}
	select {
	case <-received:
	case <-time.After(15 * time.Second):
		t.Error("the resent delivery never reached the receiver")
	}
}

func postJSON(t *testing.T, url string, in, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
}

// waitDelivered polls the control API until the delivery is delivered.
func waitDelivered(t *testing.T, base, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/v1/deliveries/" + id)
		if err == nil {
			var d struct {
				Status   string
				Delivery struct{ Status string }
			}
			_ = json.NewDecoder(resp.Body).Decode(&d)
			resp.Body.Close()
			if d.Status == "delivered" || d.Delivery.Status == "delivered" {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("delivery %s not delivered within 20s", id)
}
