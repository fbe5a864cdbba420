package signature

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/minivoice/mvh/spec"
)

// TestRawVariants checks that every raw-body variant is a valid envelope of
// the same event and call, whose bytes no re-serialisation reproduces.
func TestRawVariants(t *testing.T) {
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	body, err := s.Payload(signedEvent, spec.PayloadOptions{CallID: "call_raw"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rawVariants {
		t.Run(v.label, func(t *testing.T) {
			raw := v.rewrite(body)
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, raw)
			}
			call, _ := m["call"].(map[string]any)
			if m["event"] != signedEvent || call["id"] != "call_raw" {
				t.Errorf("event %v call %v", m["event"], call["id"])
			}
			again, _ := json.Marshal(m)
			if bytes.Equal(raw, again) || bytes.Equal(raw, body) {
				t.Errorf("bytes equal a re-serialisation:\n%s", raw)
			}
			if violations := s.Validate(raw); len(violations) > 0 {
				t.Errorf("not a valid envelope: %v", violations)
			}
		})
	}
}

func TestTamper(t *testing.T) {
	body := []byte(`{"call":{"id":"c"},"event":"call.created","variables":{}}`)
	got := tamper(body)
	var m map[string]any
	if bytes.Equal(got, body) || json.Unmarshal(got, &m) != nil || m["call"].(map[string]any)["id"] != "c" {
		t.Errorf("tamper(%s) = %s", body, got)
	}
}
