package framework

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/minivoice/mvh/delivery"
)

// TestRequestEvidenceSignedBody: evidence keeps the bytes sent as Body and,
// only when they differ, the bytes signed as SignedBody, so a reproduction
// of a tampered delivery re-signs what the check signed.
func TestRequestEvidenceSignedBody(t *testing.T) {
	signed, sent := []byte(`{"variables":{}}`), []byte(`{"variables":{"transfer_to":"+15559990000"}}`)
	for _, tc := range []struct {
		name             string
		d                Delivery
		body, signedBody string
	}{
		{"valid", Delivery{Body: signed, Signed: delivery.SignValid}, string(signed), ""},
		{"tampered", Delivery{Body: signed, Sent: sent, Signed: delivery.SignTampered}, string(sent), string(signed)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/webhooks/minivoice", bytes.NewReader(tc.d.Body))
			if err != nil {
				t.Fatal(err)
			}
			r := requestEvidence(req, tc.d)
			if r.Body != tc.body || r.SignedBody != tc.signedBody || r.BodySize != len(tc.body) || r.Signed != tc.d.Signed {
				t.Errorf("body %q signed_body %q size %d signed %q; want %q, %q, %d, %q",
					r.Body, r.SignedBody, r.BodySize, r.Signed, tc.body, tc.signedBody, len(tc.body), tc.d.Signed)
			}
		})
	}
}
