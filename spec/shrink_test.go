package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestShrinkToOneDifference: against a receiver on loopback that answers 500
// to one legal form of one property, a generated failure with many
// differences from the example shrinks to a payload that differs in that
// property alone.
func TestShrinkToOneDifference(t *testing.T) {
	rejectors := []struct {
		name   string
		reject func(body map[string]any) bool
		want   string
	}{
		{"route_mode absent", func(b map[string]any) bool { _, ok := b["call"].(map[string]any)["route_mode"]; return !ok }, "call.route_mode absent"},
		{"from not ASCII", func(b map[string]any) bool { f, _ := b["call"].(map[string]any)["from"].(string); return !isASCII(f) }, "call.from"},
		{"a key with a dot in variables", func(b map[string]any) bool { _, ok := b["variables"].(map[string]any)["a.b"]; return ok }, `variables["a.b"] added`},
	}
	s := mustDefault(t)
	ex, _ := s.Event("call.created")
	var example map[string]any
	if err := json.Unmarshal(ex.Example, &example); err != nil {
		t.Fatal(err)
	}
	for _, tt := range rejectors {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body map[string]any
				if json.NewDecoder(r.Body).Decode(&body) != nil || tt.reject(body) {
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}))
			defer srv.Close()
			fails := func(ctx context.Context, v map[string]any) bool {
				g, err := Fix("call.created", v, "call_shrink")
				if err != nil {
					t.Fatal(err)
				}
				resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(g.Body))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode >= 500
			}
			var failing map[string]any
			for i := range 200 {
				g, _ := s.Generate("call.created", 99, i, "call_shrink")
				if n := len(Differences(example, g.Value)); n >= 8 && fails(context.Background(), g.Value) {
					failing = g.Value
					break
				}
			}
			if failing == nil {
				t.Fatal("no generated payload with 8 or more differences fails")
			}
			got := Shrink(context.Background(), example, failing, 50, fails)
			if len(got.Differences) != 1 || !bytes.HasPrefix([]byte(got.Differences[0].String()), []byte(tt.want)) {
				t.Fatalf("shrunk from %d differences in %d steps to %v, want one: %s", len(Differences(example, failing)), got.Steps, got.Differences, tt.want)
			}
			t.Logf("%d differences shrunk in %d steps to %s", len(Differences(example, failing)), got.Steps, got.Differences[0])
		})
	}
}
