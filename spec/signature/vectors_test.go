package signature

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vector is one entry of testdata/vectors.json, whose v1 values were
// computed with openssl rather than this package.
type vector struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Secrets       []string `json:"secrets"`
	Timestamp     int64    `json:"timestamp"`
	Body          string   `json:"body"`
	BodyBase64    string   `json:"body_base64"`
	V1            []string `json:"v1"`
	Header        string   `json:"header"`
	VerifySecrets []string `json:"verify_secrets"`
	VerifyHeader  string   `json:"verify_header"`
	Valid         bool     `json:"valid"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("testdata/vectors.json: %v", err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("testdata/vectors.json: no vectors")
	}
	for _, v := range doc.Vectors {
		raw, err := base64.StdEncoding.DecodeString(v.BodyBase64)
		if err != nil || !bytes.Equal(raw, []byte(v.Body)) {
			t.Fatalf("vector %s: body and body_base64 disagree", v.Name)
		}
	}
	return doc.Vectors
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			body := []byte(v.Body)
			if len(v.V1) != len(v.Secrets) {
				t.Fatalf("%d v1 values for %d secrets", len(v.V1), len(v.Secrets))
			}
			for i, s := range v.Secrets {
				if got := Compute(s, v.Timestamp, body); got != v.V1[i] {
					t.Errorf("Compute(secret %d) = %s, openssl says %s", i, got, v.V1[i])
				}
			}
			if got := Sign(v.Timestamp, body, v.Secrets...); got != v.Header {
				t.Errorf("Sign = %q, want %q", got, v.Header)
			}
			ver := &Verifier{Secrets: v.VerifySecrets, Now: func() time.Time { return time.Unix(v.Timestamp, 0) }}
			err := ver.Verify(strconv.FormatInt(v.Timestamp, 10), v.VerifyHeader, body)
			if (err == nil) != v.Valid {
				t.Errorf("Verify = %v, want valid=%v", err, v.Valid)
			}
			tampered := append(append([]byte(nil), body...), ' ')
			if err := ver.Verify(strconv.FormatInt(v.Timestamp, 10), v.VerifyHeader, tampered); !errors.Is(err, ErrNoMatch) {
				t.Errorf("Verify(tampered body) = %v, want ErrNoMatch", err)
			}
		})
	}
}

// TestVectorsAgreeWithOpenSSL recomputes every pinned value with the
// independent tool, so a hand-edited vectors.json cannot drift from it.
func TestVectorsAgreeWithOpenSSL(t *testing.T) {
	for _, tool := range []string{"openssl", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is required in CI: %v", tool, err)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	const pipeline = `printf '%s.%s' "$1" "$2" | openssl dgst -sha256 -hmac "$3"`
	for _, v := range loadVectors(t) {
		for i, s := range v.Secrets {
			out, err := exec.Command("bash", "-c", pipeline, "sh", strconv.FormatInt(v.Timestamp, 10), v.Body, s).Output()
			if err != nil {
				t.Fatalf("%s: openssl: %v", v.Name, err)
			}
			_, hex, ok := strings.Cut(strings.TrimSpace(string(out)), "= ")
			if !ok {
				t.Fatalf("%s: unexpected openssl output %q", v.Name, out)
			}
			if hex != v.V1[i] {
				t.Errorf("%s secret %d: openssl %s, vectors.json %s", v.Name, i, hex, v.V1[i])
			}
		}
	}
}
