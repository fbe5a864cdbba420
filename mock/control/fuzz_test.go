package control

import (
	"bytes"
	"context"
	"net/http"
	"testing"
)

// FuzzValidateRequest: any control API request (method, path, body) is
// refused with a 4xx and a message, or accepted, and never panics the
// validator that stands before every handler.
func FuzzValidateRequest(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","secret":"whsec_x"}`},
		{"POST", "/v1/applications", `{"webhook_url":"http://127.0.0.1:1","retry_schedule":["5s","1s"]}`},
		{"POST", "/v1/events", `{"application_id":"app_1","event":"call.created","call":{"id":5}}`},
		{"POST", "/v1/calls", `{"application_id":"app_1","scenario":"inbound-ivr","direction":"sideways"}`},
		{"GET", "/v1/deliveries?status=lost&limit=0", ""},
		{"POST", "/v1/deliveries/dlv_1/resend", ""},
		{"DELETE", "/v1/applications", ""},
		{"GET", "/v1/nothing", ""},
		{"POST", "/v1/events", `{"event":`},
		{"POST", "/v1/events", `[]`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, []byte(s.body))
	}
	v, err := newAPIValidator(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		req, err := http.NewRequestWithContext(t.Context(), method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		status, msg := v.check(req)
		if status != 0 && (status < 400 || status > 499 || msg == "") {
			t.Fatalf("%s %s %q: refused with %d %q, want a 4xx with a message", method, path, body, status, msg)
		}
	})
}
