package spec_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

// TestSchemeMatchesSignaturePackage keeps the machine-readable scheme and
// its Go implementation in agreement: change one, this fails until the other
// follows.
func TestSchemeMatchesSignaturePackage(t *testing.T) {
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	sc := s.Signature()
	if got, want := sc.Signing(), signature.DefaultScheme(); got != want {
		t.Errorf("Signing() = %+v, signature.DefaultScheme() = %+v", got, want)
	}
	pairs := []struct{ name, spec, code string }{
		{"timestamp header", sc.TimestampHeader, signature.TimestampHeader},
		{"signature header", sc.SignatureHeader, signature.SignatureHeader},
		{"event header", sc.EventHeader, signature.EventHeader},
		{"prefix", sc.Prefix, signature.Version + "="},
		{"separator", sc.Separator, signature.Separator},
		{"tolerance", sc.Tolerance.String(), signature.DefaultTolerance.String()},
		{"algorithm", sc.Algorithm, "HMAC-SHA256"},
		{"encoding", sc.Encoding, "hex"},
	}
	for _, p := range pairs {
		if p.spec != p.code {
			t.Errorf("%s: spec %q, signature package %q", p.name, p.spec, p.code)
		}
	}
	const ts, body = 1780056000, `{"event":"call.created"}`
	content := strings.NewReplacer("{timestamp}", strconv.Itoa(ts), "{body}", body).Replace(sc.SignedContent)
	if got := signature.SignedContent(ts, []byte(body)); got != content {
		t.Errorf("signed content: spec template gives %q, signature package %q", content, got)
	}
	header := signature.Sign(ts, []byte(body), "a", "b")
	if n := strings.Count(header, sc.Prefix); n != 2 || !strings.Contains(header, sc.Separator) {
		t.Errorf("Sign with two secrets = %q, want two %q entries joined by %q", header, sc.Prefix, sc.Separator)
	}
}
