package control

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/server"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

const apiSecret = "whsec_api_test_do_not_leak"

// mockServer is a real engine on a real SQLite file behind the real HTTP
// server on a loopback port.
type mockServer struct {
	url    string
	token  string
	engine *mock.Engine
	seen   []string // every response body, to grep for secrets
	mu     sync.Mutex
}

func startMock(t *testing.T, token string) *mockServer {
	t.Helper()
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, err := mock.Open(ctx, s, mock.Config{DB: filepath.Join(t.TempDir(), "mvh.db"), TimeScale: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(ctx, eng, s, ServerConfig{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = eng.Run(ctx) }()
	go func() { defer wg.Done(); _ = srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = eng.Close()
	})
	return &mockServer{url: "http://" + ln.Addr().String(), token: token, engine: eng}
}

// do sends a control request and decodes the answer into out (when non-nil).
func (m *mockServer) do(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, m.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if m.token != "" {
		req.Header.Set("Authorization", "Bearer "+m.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m.mu.Lock()
	m.seen = append(m.seen, string(b))
	m.mu.Unlock()
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func (m *mockServer) assertNoSecret(t *testing.T, secret string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.seen {
		if strings.Contains(b, secret) {
			t.Errorf("a response contains the secret: %s", b)
		}
	}
}

// apiReceiver answers the given statuses in turn (then 200) and verifies every
// signature against apiSecret.
type apiReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	invalid  int
}

func newAPIReceiver(t *testing.T, statuses ...int) *apiReceiver {
	r := &apiReceiver{statuses: statuses}
	v := signature.NewVerifier(apiSecret)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if v.VerifyRequest(req.Header, b) != nil {
			r.invalid++
		}
		r.bodies = append(r.bodies, b)
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *apiReceiver) count() (n, invalid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies), r.invalid
}

// waitDelivery polls the delivery until it leaves pending or the deadline.
func (m *mockServer) waitDelivery(t *testing.T, id string) deliveryDetail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var d deliveryDetail
		if code := m.do(t, http.MethodGet, "/v1/deliveries/"+id, "", &d); code != http.StatusOK {
			t.Fatalf("get delivery %s: %d", id, code)
		}
		if d.Status != mock.StatusPending {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s still pending after 15s: %+v", id, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func apiCreateApp(t *testing.T, m *mockServer, url string) applicationJSON {
	t.Helper()
	var app applicationJSON
	body := `{"name":"test","webhook_url":"` + url + `","webhook_secret":"` + apiSecret + `","retry_schedule":["0s","100ms","200ms"]}`
	if code := m.do(t, http.MethodPost, "/v1/applications", body, &app); code != http.StatusCreated {
		t.Fatalf("create application: %d", code)
	}
	return app
}

func apiSendEvent(t *testing.T, m *mockServer, appID, extra string) deliveryJSON {
	t.Helper()
	var out struct{ Deliveries []deliveryJSON }
	body := `{"application_id":"` + appID + `","event":"call.created"` + extra + `}`
	if code := m.do(t, http.MethodPost, "/v1/events", body, &out); code != http.StatusCreated || len(out.Deliveries) != 1 {
		t.Fatalf("send event: %d %+v", code, out)
	}
	return out.Deliveries[0]
}

func TestAPIDeliveryLifecycle(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t, http.StatusInternalServerError)
	app := apiCreateApp(t, m, rcv.URL+"/webhooks")
	if !app.SecretSet || app.SecretCount != 1 || len(app.RetrySchedule) != 3 {
		t.Errorf("application: %+v", app)
	}
	var listed struct{ Applications []applicationJSON }
	m.do(t, http.MethodGet, "/v1/applications", "", &listed)
	if len(listed.Applications) != 1 || listed.Applications[0].ID != app.ID {
		t.Errorf("list applications: %+v", listed)
	}
	var one applicationJSON
	if code := m.do(t, http.MethodGet, "/v1/applications/"+app.ID, "", &one); code != 200 || one.ID != app.ID {
		t.Errorf("get application: %d %+v", code, one)
	}

	d := apiSendEvent(t, m, app.ID, `,"call":{"id":"call_api_1","status":"ringing"},"data":{"note":"x"}`)
	if d.CallID != "call_api_1" || d.EventKey != "call_api_1:call.created" {
		t.Errorf("delivery: %+v", d)
	}
	got := m.waitDelivery(t, d.ID)
	if got.Status != mock.StatusDelivered || len(got.Attempts) != 2 {
		t.Fatalf("delivery: %+v", got)
	}
	if a := got.Attempts[0]; a.Status != 500 || a.ErrorClass != mock.ClassHTTP || a.NextRetryAt == nil {
		t.Errorf("first attempt: %+v", a)
	}
	if a := got.Attempts[1]; a.Status != 200 || a.ErrorClass != "" {
		t.Errorf("second attempt: %+v", a)
	}
	for _, a := range got.Attempts {
		if a.SentAt.IsZero() || a.StartedAt.Before(a.ScheduledAt) || !strings.HasPrefix(a.RequestHeaders["X-Minivoice-Signature"], "v1=") {
			t.Errorf("attempt %d: sent_at %s, started %s before scheduled %s, or no signed headers %v", a.N, a.SentAt, a.StartedAt, a.ScheduledAt, a.RequestHeaders)
		}
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(got.Body), &body)
	call, _ := body["call"].(map[string]any)
	if call["status"] != "ringing" || call["application_id"] != app.ID {
		t.Errorf("overrides not applied: %s", got.Body)
	}

	var resent deliveryJSON
	if code := m.do(t, http.MethodPost, "/v1/deliveries/"+d.ID+"/resend", "", &resent); code != http.StatusAccepted {
		t.Fatalf("resend: %d", code)
	}
	if resent.ID == d.ID || resent.ResendOf != d.ID {
		t.Errorf("resend answered %s resend_of %q; want a new delivery linked to %s", resent.ID, resent.ResendOf, d.ID)
	}
	if again := m.waitDelivery(t, resent.ID); again.Status != mock.StatusDelivered || again.Body != got.Body {
		t.Errorf("resent delivery: %+v", again)
	}
	if n, invalid := rcv.count(); n != 3 || invalid != 0 {
		t.Errorf("receiver saw %d requests (%d invalid), want 3 valid", n, invalid)
	}
	m.assertNoSecret(t, apiSecret)
}

func TestAPIDeliveryFilters(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t)
	app := apiCreateApp(t, m, rcv.URL)
	a := apiSendEvent(t, m, app.ID, `,"call":{"id":"call_f1"}`)
	b := apiSendEvent(t, m, app.ID, `,"call":{"id":"call_f2"}`)
	m.waitDelivery(t, a.ID)
	m.waitDelivery(t, b.ID)
	tests := []struct {
		query string
		want  []string
	}{
		{"call_id=call_f1", []string{a.ID}},
		{"call_id=call_f2&status=delivered", []string{b.ID}},
		{"status=failed", nil},
		{"application_id=" + app.ID, []string{a.ID, b.ID}},
		{"application_id=app_nobody", nil},
		{"limit=1", []string{a.ID}},
		{"order=newest", []string{b.ID, a.ID}},
		{"order=newest&limit=1", []string{b.ID}},
		{"order=oldest", []string{a.ID, b.ID}},
	}
	for _, tt := range tests {
		var out struct{ Deliveries []deliveryJSON }
		if code := m.do(t, http.MethodGet, "/v1/deliveries?"+tt.query, "", &out); code != 200 {
			t.Errorf("%s: %d", tt.query, code)
		}
		var ids []string
		for _, d := range out.Deliveries {
			ids = append(ids, d.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.query, ids, tt.want)
		}
	}
}

func TestAPICallScenario(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t)
	app := apiCreateApp(t, m, rcv.URL)
	var out struct {
		Call       mock.Call
		Deliveries []deliveryJSON
	}
	body := `{"application_id":"` + app.ID + `","scenario":"inbound-ivr","from":"+15550001111","to":"+15550002222","variables":{"lang":"en"}}`
	if code := m.do(t, http.MethodPost, "/v1/calls", body, &out); code != http.StatusCreated {
		t.Fatalf("create call: %d", code)
	}
	if out.Call.ID == "" || out.Call.Scenario != "inbound-ivr" || len(out.Deliveries) != len(out.Call.Events) || len(out.Deliveries) < 3 {
		t.Fatalf("call: %+v with %d deliveries", out.Call, len(out.Deliveries))
	}
	for _, d := range out.Deliveries {
		got := m.waitDelivery(t, d.ID)
		if got.CallID != out.Call.ID || got.Status != mock.StatusDelivered {
			t.Errorf("delivery %s: call %s status %s", d.ID, got.CallID, got.Status)
		}
		if !strings.Contains(got.Body, `"from":"+15550001111"`) || !strings.Contains(got.Body, `"lang":"en"`) {
			t.Errorf("delivery %s body lacks the call's fields: %s", d.ID, got.Body)
		}
	}
	if n, invalid := rcv.count(); n != len(out.Deliveries) || invalid != 0 {
		t.Errorf("receiver saw %d requests (%d invalid), want %d", n, invalid, len(out.Deliveries))
	}
}

// TestAPIUpdateDeleteApplication: PUT replaces an application's settings
// and keeps its write-only secrets when the body gives none; the next event
// goes to the new URL; DELETE removes it and is 404 after.
func TestAPIUpdateDeleteApplication(t *testing.T) {
	m := startMock(t, "")
	first, second := newAPIReceiver(t), newAPIReceiver(t)
	app := apiCreateApp(t, m, first.URL)
	var updated applicationJSON
	if code := m.do(t, http.MethodPut, "/v1/applications/"+app.ID, `{"name":"moved","webhook_url":"`+second.URL+`"}`, &updated); code != 200 {
		t.Fatalf("update: %d %+v", code, updated)
	}
	if updated.ID != app.ID || updated.Name != "moved" || updated.WebhookURL != second.URL || updated.SecretCount != app.SecretCount || !updated.CreatedAt.Equal(app.CreatedAt) {
		t.Errorf("updated %+v from %+v", updated, app)
	}
	m.waitDelivery(t, apiSendEvent(t, m, app.ID, "").ID)
	if n, invalid := second.count(); n != 1 || invalid != 0 {
		t.Errorf("new URL saw %d requests (%d unsigned or invalid), want 1 signed with the kept secret", n, invalid)
	}
	if n, _ := first.count(); n != 0 {
		t.Errorf("old URL saw %d requests after the update", n)
	}
	var out server.Refusal
	if code := m.do(t, http.MethodPut, "/v1/applications/app_nope", `{"webhook_url":"`+second.URL+`"}`, &out); code != 404 {
		t.Errorf("update unknown: %d %+v", code, out)
	}
	if code := m.do(t, http.MethodDelete, "/v1/applications/"+app.ID, "", nil); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		if code := m.do(t, method, "/v1/applications/"+app.ID, "", nil); code != 404 {
			t.Errorf("%s after delete: %d, want 404", method, code)
		}
	}
	m.assertNoSecret(t, apiSecret)
}
