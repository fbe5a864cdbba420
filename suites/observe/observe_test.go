package observe

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestKeyOf(t *testing.T) {
	rec := []byte(`{"event_key":"c:e","n":7,"a/b":{"~x":"tilde"},"list":["zero","one"],"nil":null}`)
	for pointer, want := range map[string]string{
		"/event_key": "c:e",
		"/n":         "7",
		"/a~1b/~0x":  "tilde",
		"/list/1":    "one",
	} {
		got, err := KeyOf(rec, pointer)
		if err != nil || got != want {
			t.Errorf("KeyOf(%s) = %q, %v; want %q", pointer, got, err, want)
		}
	}
	for _, pointer := range []string{"/missing", "/list/9", "/nil", "/n/deeper"} {
		if _, err := KeyOf(rec, pointer); !errors.Is(err, ErrNoKey) {
			t.Errorf("KeyOf(%s): %v, want ErrNoKey", pointer, err)
		}
	}
	if _, err := KeyOf(rec, "event_key"); err == nil {
		t.Error("accepted a pointer without leading slash")
	}
}

func TestInspect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"key":"a"},{"key":"b"},{"key":"a"}]`))
	}))
	defer srv.Close()
	counts, err := Inspect{URL: srv.URL, Key: "/key"}.Counts(context.Background())
	if err != nil || counts["a"] != 2 || counts["b"] != 1 {
		t.Errorf("counts %v, %v", counts, err)
	}
	if _, err := (Inspect{URL: srv.URL}).Counts(context.Background()); !errors.Is(err, ErrNoKey) {
		t.Errorf("default key on records without event_key: %v, want ErrNoKey", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"not":"an array"}`))
	}))
	defer bad.Close()
	if _, err := (Inspect{URL: bad.URL}).Counts(context.Background()); err == nil {
		t.Error("accepted an object")
	}
}
