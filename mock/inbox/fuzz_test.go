package inbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// FuzzDiagnose: any timestamp, signature header and body give a diagnosis
// without panicking; it is valid exactly when spec/signature verifies, has
// a reason, and never shows the secret.
func FuzzDiagnose(f *testing.F) {
	const secret = "whsec_fuzz_0123456789"
	now := time.Unix(1780056000, 0)
	body := []byte(`{"event":"call.created"}`)
	valid := signature.Sign(now.Unix(), body, secret)
	for _, s := range []struct{ ts, sig, body string }{
		{"1780056000", valid, string(body)},
		{"1780056000", valid, string(body) + " "},
		{"1780056000", "v0=x," + valid, string(body)},
		{"", "", string(body)},
		{"soon", valid, string(body)},
		{"1780055000", valid, string(body)},
		{"1780056000", "v1=" + strings.Repeat("0", 64), ""},
		{"1780056000", "v1=,,=", "{}"},
	} {
		f.Add(s.ts, s.sig, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{}
		if ts != "" {
			h.Set(signature.TimestampHeader, ts)
		}
		if sig != "" {
			h.Set(signature.SignatureHeader, sig)
		}
		d := diagnose(h, body, []string{secret}, signature.Scheme{Tolerance: 5 * time.Minute}, now)
		v := signature.Verifier{Secrets: []string{secret}, Tolerance: 5 * time.Minute, Now: func() time.Time { return now }}
		want := v.VerifyRequest(h, body) == nil
		if d.Valid != want || d.Reason == "" {
			t.Fatalf("diagnose(%q, %q, %q) = %+v; verifier says valid=%v", ts, sig, body, d, want)
		}
		for _, line := range append(d.Detail(), d.Reason, d.Expected) {
			if strings.Contains(line, secret) {
				t.Fatalf("the diagnosis shows the secret: %q", line)
			}
		}
	})
}
