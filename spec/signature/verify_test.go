package signature

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "whsec_minivoice_test"
	testTS     = int64(1780056000)
)

var testBody = []byte(`{"event":"call.created"}`)

func at(ts int64) func() time.Time { return func() time.Time { return time.Unix(ts, 0) } }

func TestVerifySentinels(t *testing.T) {
	valid := Sign(testTS, testBody, testSecret)
	ts := strconv.FormatInt(testTS, 10)
	tests := []struct {
		name      string
		secrets   []string
		timestamp string
		header    string
		body      []byte
		now       int64
		tolerance time.Duration
		want      error
	}{
		{name: "valid", timestamp: ts, header: valid},
		{name: "no secret", secrets: []string{}, timestamp: ts, header: valid, want: ErrNoSecret},
		{name: "missing timestamp", timestamp: "", header: valid, want: ErrMissingHeader},
		{name: "missing signature", timestamp: ts, header: "", want: ErrMissingHeader},
		{name: "timestamp not a number", timestamp: "yesterday", header: valid, want: ErrMalformedHeader},
		{name: "timestamp negative", timestamp: "-5", header: valid, want: ErrMalformedHeader},
		{name: "timestamp with plus", timestamp: "+" + ts, header: valid, want: ErrMalformedHeader},
		{name: "timestamp with space", timestamp: " " + ts, header: valid, want: ErrMalformedHeader},
		{name: "timestamp fractional", timestamp: ts + ".5", header: valid, want: ErrMalformedHeader},
		{name: "timestamp in milliseconds", timestamp: ts + "000", header: valid, want: ErrFutureTimestamp},
		{name: "signed in milliseconds", timestamp: ts + "000", header: Sign(testTS*1000, testBody, testSecret), want: ErrFutureTimestamp},
		{name: "timestamp zero", timestamp: "0", header: Sign(0, testBody, testSecret), want: ErrStaleTimestamp},
		{name: "header without equals", timestamp: ts, header: "garbage", want: ErrMalformedHeader},
		{name: "header empty version", timestamp: ts, header: "=" + strings.Repeat("a", 64), want: ErrMalformedHeader},
		{name: "v1 too short", timestamp: ts, header: "v1=abc", want: ErrMalformedHeader},
		{name: "v1 uppercase hex", timestamp: ts, header: strings.ToUpper(valid[3:]), want: ErrMalformedHeader},
		{name: "v1 not hex", timestamp: ts, header: "v1=" + strings.Repeat("g", 64), want: ErrMalformedHeader},
		{name: "only unknown scheme", timestamp: ts, header: "v0=" + valid[3:], want: ErrMalformedHeader},
		{name: "wrong secret", secrets: []string{"whsec_other"}, timestamp: ts, header: valid, want: ErrNoMatch},
		{name: "tampered body", timestamp: ts, header: valid, body: []byte(`{"event":"call.created" }`), want: ErrNoMatch},
		{name: "last hex digit flipped", timestamp: ts, header: flipLast(valid), want: ErrNoMatch},
		{name: "signed at other time", timestamp: strconv.FormatInt(testTS+1, 10), header: valid, want: ErrNoMatch},
		{name: "stale by 301s", timestamp: ts, header: valid, now: testTS + 301, want: ErrStaleTimestamp},
		{name: "old by exactly 300s", timestamp: ts, header: valid, now: testTS + 300},
		{name: "future by 301s", timestamp: ts, header: valid, now: testTS - 301, want: ErrFutureTimestamp},
		{name: "ahead by exactly 300s", timestamp: ts, header: valid, now: testTS - 300},
		{name: "custom tolerance stale", timestamp: ts, header: valid, now: testTS + 11, tolerance: 10 * time.Second, want: ErrStaleTimestamp},
		{name: "custom tolerance future", timestamp: ts, header: valid, now: testTS - 11, tolerance: 10 * time.Second, want: ErrFutureTimestamp},
		{name: "custom tolerance inside", timestamp: ts, header: valid, now: testTS - 10, tolerance: 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := tt.secrets
			if secrets == nil {
				secrets = []string{testSecret}
			}
			body, now := tt.body, tt.now
			if body == nil {
				body = testBody
			}
			if now == 0 {
				now = testTS
			}
			v := &Verifier{Secrets: secrets, Tolerance: tt.tolerance, Now: at(now)}
			err := v.Verify(tt.timestamp, tt.header, body)
			if tt.want == nil && err != nil {
				t.Fatalf("Verify = %v, want valid", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Fatalf("error %q reveals the secret", err)
			}
		})
	}
}

func flipLast(header string) string {
	last := header[len(header)-1]
	if last == '0' {
		return header[:len(header)-1] + "1"
	}
	return header[:len(header)-1] + "0"
}

func TestRotation(t *testing.T) {
	header := Sign(testTS, testBody, "whsec_old", "whsec_new")
	entries := strings.Split(header, Separator)
	if len(entries) != 2 || !strings.HasPrefix(entries[0], "v1=") || !strings.HasPrefix(entries[1], "v1=") {
		t.Fatalf("Sign with two secrets = %q, want two v1 entries", header)
	}
	ts := strconv.FormatInt(testTS, 10)
	tests := []struct {
		name    string
		secrets []string
		header  string
		want    error
	}{
		{"receiver holds the new secret only", []string{"whsec_new"}, header, nil},
		{"receiver holds the old secret only", []string{"whsec_old"}, header, nil},
		{"receiver holds neither", []string{"whsec_other"}, header, ErrNoMatch},
		{"first entry alone does not match the new secret", []string{"whsec_new"}, entries[0], ErrNoMatch},
		{"receiver holds both, header has the second entry", []string{"whsec_old", "whsec_new"}, entries[1], nil},
		{"spaces after the separator", []string{"whsec_new"}, entries[0] + ", " + entries[1], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Verifier{Secrets: tt.secrets, Now: at(testTS)}).Verify(ts, tt.header, testBody)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestUnknownSchemeEntriesIgnored(t *testing.T) {
	valid := Sign(testTS, testBody, testSecret)
	ts := strconv.FormatInt(testTS, 10)
	for _, header := range []string{
		"v0=garbage," + valid,
		valid + ",v2=anything",
		"v0=garbage," + valid + ",x=",
		"v1a=" + valid[3:] + "," + valid,
	} {
		t.Run(header, func(t *testing.T) {
			if err := (&Verifier{Secrets: []string{testSecret}, Now: at(testTS)}).Verify(ts, header, testBody); err != nil {
				t.Fatalf("Verify = %v, want valid", err)
			}
		})
	}
}

func TestVerifyRequest(t *testing.T) {
	h := http.Header{}
	for k, v := range Headers(time.Unix(testTS, 0), testBody, testSecret) {
		h.Set(strings.ToLower(k), v)
	}
	v := &Verifier{Secrets: []string{testSecret}, Now: at(testTS + 5)}
	if err := v.VerifyRequest(h, testBody); err != nil {
		t.Fatalf("VerifyRequest = %v", err)
	}
	if err := v.VerifyRequest(http.Header{}, testBody); !errors.Is(err, ErrMissingHeader) {
		t.Fatalf("VerifyRequest(no headers) = %v, want ErrMissingHeader", err)
	}
}

func TestHeaders(t *testing.T) {
	if h := Headers(time.Unix(testTS, 0), testBody); h != nil {
		t.Fatalf("Headers without secrets = %v, want nil (MiniVoice sends neither header)", h)
	}
	h := Headers(time.Unix(testTS, 0), testBody, testSecret, "whsec_two")
	if h[TimestampHeader] != strconv.FormatInt(testTS, 10) {
		t.Errorf("%s = %q", TimestampHeader, h[TimestampHeader])
	}
	if want := Sign(testTS, testBody, testSecret, "whsec_two"); h[SignatureHeader] != want {
		t.Errorf("%s = %q, want %q", SignatureHeader, h[SignatureHeader], want)
	}
	if got := SignedContent(testTS, testBody); got != "1780056000."+string(testBody) {
		t.Errorf("SignedContent = %q", got)
	}
}

func TestDefaultsWhenZero(t *testing.T) {
	now := time.Now().Unix()
	header := Sign(now, testBody, testSecret)
	if err := NewVerifier(testSecret).Verify(strconv.FormatInt(now, 10), header, testBody); err != nil {
		t.Fatalf("NewVerifier with the real clock: %v", err)
	}
	old := strconv.FormatInt(now-int64(DefaultTolerance/time.Second)-60, 10)
	if err := NewVerifier(testSecret).Verify(old, header, testBody); !errors.Is(err, ErrStaleTimestamp) {
		t.Fatalf("zero Tolerance must mean DefaultTolerance: %v", err)
	}
}

// TestConstantTimeComparison guards the contract's "comparison with
// hmac.Equal": verify.go must call hmac.Equal and compare digests no other
// way (bytes.Equal, string ==).
func TestConstantTimeComparison(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "verify.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok {
				calls[pkg.Name+"."+sel.Sel.Name]++
			}
		}
		return true
	})
	if calls["hmac.Equal"] == 0 {
		t.Error("verify.go does not use hmac.Equal")
	}
	for _, banned := range []string{"bytes.Equal", "subtle.ConstantTimeCompare"} {
		if calls[banned] > 0 {
			t.Errorf("verify.go uses %s; the contract says hmac.Equal", banned)
		}
	}
}
