package sink

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestRefuseFirst: each refusal turns down exactly the first attempt at its
// key, counts nothing, and is kept as evidence with the attempt's headers;
// the next attempt is the record.
func TestRefuseFirst(t *testing.T) {
	s := start(t)
	for _, tc := range []struct {
		how     Refusal
		wantErr bool
	}{{Refuse503, false}, {RefuseReset, true}, {RefuseHold, true}} {
		t.Run(string(tc.how), func(t *testing.T) {
			key := "call_" + strings.Fields(string(tc.how))[1] + ":call.created"
			s.RefuseFirst(key, tc.how)
			body := `{"event_key":"` + key + `"}`
			req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(body))
			req.Header.Set("Idempotency-Key", key)
			resp, err := (&http.Client{}).Do(req)
			switch {
			case tc.wantErr && err == nil:
				resp.Body.Close()
				t.Fatalf("got %s, want no answer", resp.Status)
			case !tc.wantErr && (err != nil || resp.StatusCode != http.StatusServiceUnavailable):
				t.Fatalf("got %v %v, want 503", resp, err)
			case err == nil:
				resp.Body.Close()
			}
			if n := count(s, key); n != 0 {
				t.Fatalf("refused attempt counted: %d", n)
			}
			if code := post(t, s, body); code != http.StatusOK {
				t.Fatalf("second attempt: %d", code)
			}
			atts := s.Attempts(key)
			if count(s, key) != 1 || len(atts) != 2 || atts[0].Accepted || atts[0].Outcome != string(tc.how) || !atts[1].Accepted {
				t.Errorf("count %d, attempts %+v", count(s, key), atts)
			}
			if atts[0].Headers.Get("Idempotency-Key") != key {
				t.Errorf("attempt headers %v", atts[0].Headers)
			}
		})
	}
}

func TestDownUp(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	if code := post(t, s, `{"event_key":"a"}`); code != http.StatusOK {
		t.Fatal(code)
	}
	if err := s.Down(ctx); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Post(s.URL(), "application/json", strings.NewReader(`{"event_key":"b"}`)); err == nil {
		resp.Body.Close()
		t.Fatalf("sink down answered %s", resp.Status)
	} else if !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %v, want connection refused", err)
	}
	if err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if code := post(t, s, `{"event_key":"b"}`); code != http.StatusOK || count(s, "b") != 1 {
		t.Errorf("after Up: %d, count %d", code, count(s, "b"))
	}
}
