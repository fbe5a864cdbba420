package mock

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit commits from many goroutines at once, one of them a row
// whose ID is taken: that one fails alone, every other row is stored.
func TestGroupCommit(t *testing.T) {
	e := engOpen(t, Config{DB: filepath.Join(t.TempDir(), "outbox.db")})
	ctx := context.Background()
	rec := func() record {
		r, err := e.newRecord(Send{URL: "http://127.0.0.1:9/webhooks/minivoice", Event: "call.created", Delay: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := rec()
	if err := e.commit(ctx, []record{first}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		r := rec()
		if i == n/2 {
			r.ID = first.ID
		}
		wg.Go(func() { errs[i] = e.commit(ctx, []record{r, rec()}) })
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if (err != nil) != (i == n/2) {
			t.Errorf("commit %d: %v", i, err)
		}
		if err != nil {
			failed++
		}
	}
	ds, err := e.Deliveries(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*(n-failed); len(ds) != want || failed != 1 {
		t.Errorf("%d deliveries stored, %d commits failed; want %d and 1", len(ds), failed, want)
	}
}
