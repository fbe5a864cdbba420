package control

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/mock/server"
)

func TestAPIRefusals(t *testing.T) {
	m := startMock(t, "")
	rcv := newAPIReceiver(t)
	app := apiCreateApp(t, m, rcv.URL)
	ev := func(rest string) string { return `{"application_id":"` + app.ID + `"` + rest + `}` }
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string // substring of the error
	}{
		{"missing webhook_url", "POST", "/v1/applications", `{}`, 400, `property "webhook_url" is missing`},
		{"wrong type", "POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","chaos":{"duplicate":"two"}}`, 400, "request body /chaos/duplicate"},
		{"unknown field", "POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","secret":"x"}`, 400, `property "secret" is unsupported`},
		{"not a URL", "POST", "/v1/applications", `{"webhook_url":"ftp://example"}`, 400, "request body /webhook_url"},
		{"bad duration", "POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","retry_schedule":["soon"]}`, 400, "request body /retry_schedule/0"},
		{"schedule back in time", "POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","retry_schedule":["5s","1s"]}`, 422, "retry_schedule[1] 1s is before retry_schedule[0] 5s"},
		{"malformed JSON", "POST", "/v1/events", `{"application_id":`, 400, "request body"},
		{"missing event", "POST", "/v1/events", ev(``), 400, `property "event" is missing`},
		{"unknown application", "POST", "/v1/events", `{"application_id":"app_nobody","event":"call.created"}`, 422, `application_id "app_nobody": no such application`},
		{"unknown event", "POST", "/v1/events", ev(`,"event":"call.nope"`), 422, `event "call.nope": not in the catalogue`},
		{"dotted override", "POST", "/v1/events", ev(`,"event":"call.created","call":{"a.b":1}`), 422, `call key "a.b"`},
		{"non-string call id", "POST", "/v1/events", ev(`,"event":"call.created","call":{"id":5}`), 422, "call.id 5"},
		{"unknown scenario", "POST", "/v1/calls", ev(`,"scenario":"nope"`), 422, `scenario "nope"`},
		{"bad direction", "POST", "/v1/calls", ev(`,"scenario":"inbound-ivr","direction":"sideways"`), 400, "request body /direction"},
		{"bad status filter", "GET", "/v1/deliveries?status=lost", ``, 400, "query parameter status"},
		{"bad limit", "GET", "/v1/deliveries?limit=0", ``, 400, "query parameter limit"},
		{"unknown delivery", "GET", "/v1/deliveries/dlv_nope", ``, 404, `delivery dlv_nope: not found`},
		{"resend unknown", "POST", "/v1/deliveries/dlv_nope/resend", ``, 404, `delivery dlv_nope: not found`},
		{"unknown application get", "GET", "/v1/applications/app_nope", ``, 404, `application app_nope: not found`},
		{"method not allowed", "PATCH", "/v1/applications", ``, 405, "method PATCH not allowed"},
		{"no such endpoint", "GET", "/v1/nothing", ``, 404, "no such endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out server.Refusal
			out.OK = true
			code := m.do(t, tt.method, tt.path, tt.body, &out)
			if code != tt.status || out.OK || !strings.Contains(out.Error, tt.want) {
				t.Errorf("%s %s: %d %+v, want %d with %q", tt.method, tt.path, code, out, tt.status, tt.want)
			}
			for _, id := range []string{"dlv_nope", "app_nope", "app_nobody"} {
				if strings.Count(out.Error, id) > 1 {
					t.Errorf("%q names %s twice", out.Error, id)
				}
			}
		})
	}
}

func TestAPIToken(t *testing.T) {
	m := startMock(t, "t0ken")
	tests := []struct {
		name, path, auth string
		status           int
	}{
		{"no header", "/v1/applications", "", http.StatusUnauthorized},
		{"wrong token", "/v1/applications", "Bearer nope", http.StatusUnauthorized},
		{"wrong scheme", "/v1/applications", "Basic t0ken", http.StatusUnauthorized},
		{"right token", "/v1/applications", "Bearer t0ken", http.StatusOK},
		{"health is open", "/healthz", "", http.StatusOK},
		{"page needs it too", "/", "", http.StatusUnauthorized},
		{"page with bearer", "/", "Bearer t0ken", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, m.url+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s: %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if tt.path == "/v1/applications" && tt.status == http.StatusUnauthorized && !strings.Contains(string(body), "Bearer <token>") {
				t.Errorf("refusal %s: want the hint spelled \"Bearer <token>\", never \\u003c escapes", body)
			}
		})
	}
}

func TestAPISecretsNeverReturned(t *testing.T) {
	m := startMock(t, "")
	const rotated = "whsec_rotated_do_not_leak"
	var app applicationJSON
	body := `{"webhook_url":"http://user:pw@127.0.0.1:1/","webhook_secret":"` + apiSecret + `","webhook_secrets":["` + rotated + `"]}`
	if code := m.do(t, http.MethodPost, "/v1/applications", body, &app); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	if !app.SecretSet || app.SecretCount != 2 || strings.Contains(app.WebhookURL, "pw") {
		t.Errorf("application: %+v", app)
	}
	m.do(t, http.MethodGet, "/v1/applications", "", nil)
	m.do(t, http.MethodGet, "/v1/applications/"+app.ID, "", nil)
	var sent struct{ Deliveries []deliveryJSON }
	m.do(t, http.MethodPost, "/v1/events", `{"application_id":"`+app.ID+`","event":"call.created"}`, &sent)
	m.do(t, http.MethodGet, "/v1/deliveries", "", nil)
	for _, d := range sent.Deliveries {
		m.do(t, http.MethodGet, "/v1/deliveries/"+d.ID, "", nil)
		_, html := pageGet(t, http.DefaultClient, m.url+"/deliveries/"+d.ID)
		m.seen = append(m.seen, html)
	}
	_, html := pageGet(t, http.DefaultClient, m.url+"/")
	m.seen = append(m.seen, html)
	m.assertNoSecret(t, apiSecret)
	m.assertNoSecret(t, rotated)
	m.assertNoSecret(t, ":pw@")
}

// TestReceiverAnswersAreScrubbed: a receiver that echoes its secret in its
// answer (a debug page, a config dump) never puts it in the attempt API or
// the log page: the engine scrubs the answer before storing it.
func TestReceiverAnswersAreScrubbed(t *testing.T) {
	const secret = "whsec_echoed_0123456789"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Debug-Secret", secret)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"ok":false,"error":"bad config","secret":"`+secret+`"}`)
	}))
	t.Cleanup(echo.Close)
	m := startMock(t, "")
	var app applicationJSON
	body := `{"webhook_url":"` + echo.URL + `/hook","webhook_secret":"` + secret + `","retry_schedule":["0s"]}`
	if code := m.do(t, http.MethodPost, "/v1/applications", body, &app); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	var sent struct{ Deliveries []deliveryJSON }
	m.do(t, http.MethodPost, "/v1/events", `{"application_id":"`+app.ID+`","event":"call.created"}`, &sent)
	if len(sent.Deliveries) != 1 {
		t.Fatalf("sent %+v", sent)
	}
	id := sent.Deliveries[0].ID
	var d deliveryDetail
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m.do(t, http.MethodGet, "/v1/deliveries/"+id, "", &d)
		if len(d.Attempts) > 0 && d.Attempts[0].Status != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answered attempt within 20s: %+v", d)
		}
	}
	if a := d.Attempts[0]; !strings.Contains(a.ResponseBody, `"error":"bad config"`) || !strings.Contains(a.ResponseBody, "[REDACTED]") {
		t.Errorf("attempt answer %q: want it kept, with the secret masked", a.ResponseBody)
	}
	_, html := pageGet(t, http.DefaultClient, m.url+"/deliveries/"+id)
	m.seen = append(m.seen, html)
	m.assertNoSecret(t, secret)
}
