package redact

import (
	"testing"
)

func TestRedactorEncodings(t *testing.T) {
	r := New([]string{`a<b&"c'+`, ""}, nil)
	for _, in := range []string{`a<b&"c'+`, `a\u003cb\u0026\"c'+`, `a&lt;b&amp;&#34;c&#39;+`, `a&lt;b&amp;&quot;c&#39;+`, `a&lt;b&amp;&#34;c&#39;&#43;`} {
		if got := r.String("x " + in + " y"); got != "x "+Redacted+" y" {
			t.Errorf("redact %q = %q", in, got)
		}
	}
	if got := New(nil, nil).String("keep"); got != "keep" {
		t.Errorf("no secrets changed %q", got)
	}
}

// TestRedactorKeepsWhatTheUserTyped: a short or common secret is masked in
// what the receiver and the harness produce, never inside the strings the
// user typed as something else (the issue's --secret minivoice case).
func TestRedactorKeepsWhatTheUserTyped(t *testing.T) {
	url := "http://127.0.0.1:8080/webhooks/minivoice"
	for _, tc := range []struct {
		secrets, keep []string
		in, want      string
	}{
		{[]string{"minivoice"}, []string{url, "/webhooks/minivoice"},
			"POST " + url + " answered 401: bad signature for minivoice",
			"POST " + url + " answered 401: bad signature for " + Redacted},
		{[]string{"minivoice"}, []string{"/webhooks/minivoice"}, `{"url":"http://h/webhooks/minivoice","log":"key=minivoice"}`,
			`{"url":"http://h/webhooks/minivoice","log":"key=` + Redacted + `"}`},
		{[]string{"x"}, []string{"--only=ack.latency"}, "--only=ack.latency x", "--only=ack.latency " + Redacted},
		// A kept string without the secret in it protects nothing.
		{[]string{"whsec_0123456789abcdef"}, []string{"/w"}, "/w whsec_0123456789abcdef/w", "/w " + Redacted + "/w"},
		{[]string{"s"}, nil, "sss", Redacted + Redacted + Redacted},
	} {
		r := New(tc.secrets, tc.keep)
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("secrets %q keep %q: %q -> %q, want %q", tc.secrets, tc.keep, tc.in, got, tc.want)
		}
	}
}
