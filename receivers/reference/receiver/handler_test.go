package receiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

func TestDeliveryAnswers(t *testing.T) {
	h := start(t, false)
	now := time.Now()
	valid := func(id string) []byte { return envelopeJSON(id, "call.created") }
	oneV1 := func(b []byte, secret string) string { return signature.Sign(now.Unix(), b, secret) }
	tests := []struct {
		name   string
		body   []byte
		header func(b []byte) http.Header
		want   int
	}{
		{"valid", valid("c1"), signed(now), http.StatusOK},
		{"unsigned", valid("c2"), func([]byte) http.Header { return http.Header{} }, http.StatusUnauthorized},
		{"timestamp only", valid("c3"), without(signature.SignatureHeader, signed(now)), http.StatusUnauthorized},
		{"signature only", valid("c4"), without(signature.TimestampHeader, signed(now)), http.StatusUnauthorized},
		{"wrong secret", valid("c5"), signed(now, "whsec_wrong"), http.StatusUnauthorized},
		{"tampered body", valid("c6"), func(b []byte) http.Header {
			return signedHeaders(valid("other"), now, testSecret)
		}, http.StatusUnauthorized},
		{"stale", valid("c7"), signed(now.Add(-10 * time.Minute)), http.StatusUnauthorized},
		{"future", valid("c8"), signed(now.Add(10 * time.Minute)), http.StatusUnauthorized},
		{"within tolerance", valid("c9"), signed(now.Add(-4 * time.Minute)), http.StatusOK},
		{"malformed signature", valid("c10"), with(signature.SignatureHeader, "v1=zz", signed(now)), http.StatusBadRequest},
		{"malformed timestamp", valid("c11"), with(signature.TimestampHeader, "soon", signed(now)), http.StatusBadRequest},
		{"unknown scheme first", valid("c12"), func(b []byte) http.Header {
			return with(signature.SignatureHeader, "v0=garbage,"+oneV1(b, testSecret), signed(now))(b)
		}, http.StatusOK},
		{"rotation second valid", valid("c13"), func(b []byte) http.Header {
			return with(signature.SignatureHeader, oneV1(b, "whsec_old")+","+oneV1(b, testSecret), signed(now))(b)
		}, http.StatusOK},
		{"raw bytes differ from re-encoding", []byte("{ \"event\" : \"call.created\",\n \"call\": {\"id\": \"c14\", " +
			"\"from\": \"\\u002b1555\"}, \"n\": 1.0, \"data\": {} }"), signed(now), http.StatusOK},
		{"malformed json", []byte(`{"event":"call.created",`), signed(now), http.StatusBadRequest},
		{"empty body", nil, signed(now), http.StatusBadRequest},
		{"json array", []byte(`[1]`), signed(now), http.StatusBadRequest},
		{"missing event", []byte(`{"call":{"id":"c15"}}`), signed(now), http.StatusBadRequest},
		{"missing call id", []byte(`{"event":"call.created","call":{}}`), signed(now), http.StatusBadRequest},
		{"unknown fields", bytes.Replace(valid("c16"), []byte(`"variables":{}`),
			[]byte(`"variables":{},"extra":{"nested":[1]},"call_extra":true`), 1), signed(now), http.StatusOK},
		{"unknown event", envelopeJSON("c17", "call.teleported"), signed(now), http.StatusOK},
		{"oversized", bytes.Repeat([]byte(" "), 5<<20), signed(now), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, h.url, tt.header(tt.body), tt.body)
			if status != tt.want {
				t.Fatalf("status = %d, want %d (body %s)", status, tt.want, body)
			}
			var ans struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &ans); err != nil {
				t.Fatalf("answer %q is not JSON: %v", body, err)
			}
			if ans.OK != (status == http.StatusOK) || (!ans.OK && ans.Error == "") {
				t.Errorf("answer = %s", body)
			}
		})
	}
	if n := h.count(t, "events"); n != 7 {
		t.Errorf("events stored = %d, want 7 (only the accepted deliveries)", n)
	}
}

func TestOtherMethodsAndHealth(t *testing.T) {
	h := start(t, false)
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{http.MethodGet, testPath, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, testPath, http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/healthz", http.StatusOK, ""},
		{http.MethodPost, "/elsewhere", http.StatusNotFound, ""},
	}
	base := strings.TrimSuffix(h.url, testPath)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("status %d Allow %q, want %d %q", resp.StatusCode, resp.Header.Get("Allow"), tt.want, tt.allow)
			}
		})
	}
}

// signed returns a header builder signing at ts with secrets (default the
// test secret).
func signed(ts time.Time, secrets ...string) func([]byte) http.Header {
	if len(secrets) == 0 {
		secrets = []string{testSecret}
	}
	return func(b []byte) http.Header { return signedHeaders(b, ts, secrets...) }
}

func without(name string, f func([]byte) http.Header) func([]byte) http.Header {
	return func(b []byte) http.Header { h := f(b); h.Del(name); return h }
}

func with(name, value string, f func([]byte) http.Header) func([]byte) http.Header {
	return func(b []byte) http.Header { h := f(b); h.Set(name, value); return h }
}
