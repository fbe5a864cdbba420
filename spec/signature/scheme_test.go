package signature

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSchemeFollowsItsValues: a scheme with other headers, prefix,
// separator, content template and tolerance signs and verifies by those
// values, and the default scheme's signatures do not pass for it.
func TestSchemeFollowsItsValues(t *testing.T) {
	s := Scheme{TimestampHeader: "X-Acme-Time", SignatureHeader: "X-Acme-Sig", EventHeader: "X-Acme-Event",
		Content: "{body}|{timestamp}", Prefix: "s2=", Separator: ";", Tolerance: 60 * time.Second}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	h := s.Headers(time.Unix(testTS, 0), testBody, "other", testSecret)
	sig := h["X-Acme-Sig"]
	if len(h) != 2 || h["X-Acme-Time"] != strconv.FormatInt(testTS, 10) || strings.Count(sig, "s2=") != 2 || !strings.Contains(sig, ";") {
		t.Fatalf("headers = %v, want X-Acme-Time and two s2= entries joined by ;", h)
	}
	if got, want := s.SignedContent(testTS, testBody), string(testBody)+"|"+strconv.FormatInt(testTS, 10); got != want {
		t.Errorf("signed content %q, want %q", got, want)
	}
	req := http.Header{}
	for k, v := range h {
		req.Set(k, v)
	}
	tests := []struct {
		name string
		now  int64
		h    http.Header
		want error
	}{
		{"within 60s", testTS + 59, req, nil},
		{"61s old", testTS + 61, req, ErrStaleTimestamp},
		{"61s ahead", testTS - 61, req, ErrFutureTimestamp},
		{"default headers", testTS, http.Header{"X-Minivoice-Timestamp": {"1"}, "X-Minivoice-Signature": {Sign(testTS, testBody, testSecret)}}, ErrMissingHeader},
		{"default prefix", testTS, http.Header{"X-Acme-Time": req["X-Acme-Time"], "X-Acme-Sig": {Sign(testTS, testBody, testSecret)}}, ErrMalformedHeader},
		{"default content", testTS, http.Header{"X-Acme-Time": req["X-Acme-Time"], "X-Acme-Sig": {"s2=" + Compute(testSecret, testTS, testBody)}}, ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Secrets: []string{testSecret}, Scheme: s, Now: at(tt.now)}
			if err := v.VerifyRequest(tt.h, testBody); !errors.Is(err, tt.want) {
				t.Errorf("VerifyRequest = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSchemeCheck: the values this package cannot honour are refused with
// the offending key named, and the default scheme passes.
func TestSchemeCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Scheme)
		want string
	}{
		{"default", func(*Scheme) {}, ""},
		{"no body", func(s *Scheme) { s.Content = "{timestamp}" }, "signed-content"},
		{"twice", func(s *Scheme) { s.Content = "{timestamp}.{body}.{body}" }, "signed-content"},
		{"unknown placeholder", func(s *Scheme) { s.Content = "{timestamp}.{id}.{body}" }, "signed-content"},
		{"prefix without =", func(s *Scheme) { s.Prefix = "v1:" }, "prefix"},
		{"prefix only =", func(s *Scheme) { s.Prefix = "=" }, "prefix"},
		{"empty separator", func(s *Scheme) { s.Separator = "" }, "separator"},
		{"hex separator", func(s *Scheme) { s.Separator = "a" }, "separator"},
		{"zero tolerance", func(s *Scheme) { s.Tolerance = 0 }, "tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultScheme()
			tt.edit(&s)
			err := s.Check()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) {
				t.Errorf("Check = %v, want an error starting %q", err, tt.want)
			}
		})
	}
}
