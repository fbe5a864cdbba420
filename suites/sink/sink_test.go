package sink

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func start(t *testing.T) *Sink {
	t.Helper()
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func post(t *testing.T, s *Sink, body string) int {
	t.Helper()
	resp, err := http.Post(s.URL(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func count(s *Sink, key string) int {
	c, _ := s.Counts(context.Background())
	return c[key]
}

func TestCountsConcurrentRecords(t *testing.T) {
	s := start(t)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			resp, err := http.Post(s.URL(), "application/json",
				strings.NewReader(fmt.Sprintf(`{"event_key":"call_%d:call.created","call_id":"x"}`, i%4)))
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	for i := range 4 {
		if n := count(s, fmt.Sprintf("call_%d:call.created", i)); n != 10 {
			t.Errorf("call_%d: %d records, want 10", i, n)
		}
	}
}

func TestRefusesRecordsWithoutKey(t *testing.T) {
	s := start(t)
	if code := post(t, s, `{"call_id":"x"}`); code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", code)
	}
	if code := post(t, s, `not json`); code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", code)
	}
	if s.Unkeyed() != 2 {
		t.Errorf("unkeyed %d, want 2", s.Unkeyed())
	}
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
}

func TestSlowKeyCountsWhenAnswered(t *testing.T) {
	s := start(t)
	s.Slow("k", 300*time.Millisecond)
	done := make(chan int, 1)
	go func() {
		resp, err := http.Post(s.URL(), "application/json", strings.NewReader(`{"event_key":"k"}`))
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if n := count(s, "k"); n != 0 { // within the delay: not counted yet
		t.Errorf("counted %d before answering", n)
	}
	if code := <-done; code != http.StatusOK || count(s, "k") != 1 {
		t.Errorf("status %d, count %d", code, count(s, "k"))
	}
	start := time.Now()
	post(t, s, `{"event_key":"other"}`)
	if time.Since(start) > 200*time.Millisecond {
		t.Error("another key was slowed too")
	}
	s.Slow("k", 0)
	start = time.Now()
	post(t, s, `{"event_key":"k"}`)
	if time.Since(start) > 200*time.Millisecond {
		t.Error("Slow(k, 0) did not make k fast again")
	}
}

func TestClientGivingUpIsNotCounted(t *testing.T) {
	s := start(t)
	s.Slow("k", time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL(), strings.NewReader(`{"event_key":"k"}`))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("request did not time out")
	}
	if err := s.Close(context.Background()); err != nil { // waits for the handler
		t.Fatal(err)
	}
	if n := count(s, "k"); n != 0 {
		t.Errorf("a record the receiver gave up on counted %d", n)
	}
}

func TestFail(t *testing.T) {
	s := start(t)
	s.Fail("k", 2)
	codes := []int{post(t, s, `{"event_key":"k"}`), post(t, s, `{"event_key":"k"}`), post(t, s, `{"event_key":"k"}`)}
	if codes[0] != 503 || codes[1] != 503 || codes[2] != 200 || count(s, "k") != 1 {
		t.Errorf("codes %v count %d", codes, count(s, "k"))
	}
}

func TestCustomKeyAndAdvertiseHost(t *testing.T) {
	s, err := Start(Options{Key: "/envelope/call/id", AdvertiseHost: "host.docker.internal"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if !strings.HasPrefix(s.URL(), "http://host.docker.internal:") {
		t.Errorf("url %s", s.URL())
	}
	if _, err := Start(Options{Key: "event_key"}); err == nil {
		t.Error("accepted a key that is not a JSON pointer")
	}
}
