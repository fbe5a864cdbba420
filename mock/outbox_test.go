package mock

import (
	"context"
	"errors"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOutboxResumesAfterReopen enqueues to a receiver that is down, closes
// the engine, and reopens the same file with the receiver up: every
// delivery arrives, the future one not before its time, and the
// application survives too.
func TestOutboxResumesAfterReopen(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mvh.db")
	ctx := context.Background()
	addr := engFreeAddr(t)
	down := "http://" + addr + "/webhooks/minivoice"
	first, stopFirst := engStart(t, Config{DB: db})
	app, err := first.CreateApplication(ctx, Application{Name: "shop", WebhookURL: down, Secrets: []string{"whsec_x"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 5 {
		ds, err := first.Enqueue(ctx, Send{ApplicationID: app.ID, Event: "call.created", Schedule: engSchedule(t, "0s,1h")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ds[0].ID)
	}
	engWaitAttempts(t, first, ids, 1) // each refused once, next try in an hour
	stopFirst()
	// Enqueued while the engine is stopped: durable, due in 400ms.
	later, err := first.Enqueue(ctx, Send{ApplicationID: app.ID, Event: "call.completed", Delay: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen "two hours later": shift the stored times back, as the clock
	// would have moved, so the hourly retries are overdue.
	second := engOpen(t, Config{DB: db})
	if _, err := second.db.ExecContext(ctx, `UPDATE deliveries SET created_at=created_at-?, origin=origin-?,
		next_attempt_at=next_attempt_at-? WHERE event='call.created'`, int64(2*time.Hour), int64(2*time.Hour), int64(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	second.Close()

	engNewSinkAt(t, addr, 0, 200) // the receiver is back
	third, _ := engStart(t, Config{DB: db})
	got, err := third.Application(ctx, app.ID)
	if err != nil || got.WebhookURL != down || len(got.Secrets) != 1 {
		t.Fatalf("application after reopen: %+v, %v", got, err)
	}
	all := engWait(t, third, append(deliveriesByID(ids), later[0]))
	for _, d := range all {
		if d.Status != StatusDelivered {
			t.Errorf("delivery %s is %s after reopen", d.ID, d.Status)
		}
	}
	_, as := engAttempts(t, third, later[0].ID)
	if early := as[0].StartedAt.Sub(later[0].CreatedAt); early < 400*time.Millisecond {
		t.Errorf("the delayed delivery went %s after creation, before its time", early)
	}
}

// engWaitAttempts polls (bounded) until each delivery has n attempts.
func engWaitAttempts(t *testing.T, e *Engine, ids []string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range ids {
		for {
			d, _ := engAttempts(t, e, id)
			if d.Attempts >= n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery %s has %d attempts, want %d", id, d.Attempts, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func deliveriesByID(ids []string) []Delivery {
	out := make([]Delivery, len(ids))
	for i, id := range ids {
		out[i] = Delivery{ID: id}
	}
	return out
}

// TestShutdownInterruptsAndResumes: an attempt still in flight when the
// grace ends is recorded as interrupted and stays pending; the next Open
// delivers it.
func TestShutdownInterruptsAndResumes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mvh.db")
	ctx := context.Background()
	stuck := engNewSink(t, 5*time.Second, 200)
	e, stop := engStart(t, Config{DB: db, ShutdownGrace: 50 * time.Millisecond})
	ds, err := e.Enqueue(ctx, Send{URL: stuck.URL, Event: "call.created"})
	if err != nil {
		t.Fatal(err)
	}
	engWaitHits(t, stuck, 1)
	start := time.Now()
	stop()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown took %s with a 50ms grace", took)
	}
	d, as := engAttempts(t, e, ds[0].ID)
	if d.Status != StatusPending || len(as) != 1 || as[0].ErrorClass != ClassInterrupted || as[0].NextRetryAt == nil {
		t.Fatalf("after shutdown: %s with attempts %+v, want pending with one interrupted attempt", d.Status, as)
	}
	e.Close()

	stuck.setDelay(0)
	next, _ := engStart(t, Config{DB: db})
	if got := engWait(t, next, ds)[0]; got.Status != StatusDelivered || got.Attempts != 2 {
		t.Errorf("after reopen: %s after %d attempts, want delivered after 2", got.Status, got.Attempts)
	}
}

// TestShutdownLetsAttemptsFinish: with the default grace an attempt in
// flight completes and is recorded normally.
func TestShutdownLetsAttemptsFinish(t *testing.T) {
	slow := engNewSink(t, 150*time.Millisecond, 200)
	e, stop := engStart(t, Config{})
	ds, err := e.Enqueue(context.Background(), Send{URL: slow.URL, Event: "call.created"})
	if err != nil {
		t.Fatal(err)
	}
	engWaitHits(t, slow, 1)
	stop()
	if d, as := engAttempts(t, e, ds[0].ID); d.Status != StatusDelivered || len(as) != 1 {
		t.Errorf("after shutdown: %s after %d attempts, want delivered after 1", d.Status, len(as))
	}
}

// TestOpenRefusesLockedAndCorrupt maps a second engine on a live outbox to
// ErrLocked and a foreign file to ErrCorrupt, quickly and without touching
// the file.
func TestOpenRefusesLockedAndCorrupt(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	engOpen(t, Config{DB: live})
	corrupt := filepath.Join(dir, "notes.db")
	text := []byte("these are my notes, not a database; mvh must not overwrite them.\n")
	if err := os.WriteFile(corrupt, append(text, make([]byte, 4096)...), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, db string
		want     error
	}{
		{"locked", live, ErrLocked},
		{"corrupt", corrupt, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Open(context.Background(), engSpec(t), Config{DB: tt.db})
			if !errors.Is(err, tt.want) {
				t.Fatalf("open %s: %v, want %v", tt.db, err, tt.want)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s to refuse", took)
			}
		})
	}
	if b, _ := os.ReadFile(corrupt); string(b[:len(text)]) != string(text) {
		t.Error("the corrupt file was modified")
	}
}

// TestOpenRejectsBadConfig refuses settings no engine can run with, NaN and
// infinity included (they compare false with everything).
func TestOpenRejectsBadConfig(t *testing.T) {
	for _, f := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Open(context.Background(), engSpec(t), Config{DB: MemoryDB, TimeScale: f}); !errors.Is(err, ErrInvalid) {
			t.Errorf("time scale %v: %v, want ErrInvalid", f, err)
		}
	}
}

// TestOutboxReopenIsIdempotent opens the same file repeatedly: migrations
// run once and data stays.
func TestOutboxReopenIsIdempotent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mvh.db")
	sink := engNewSink(t, 0, http.StatusOK)
	for i := range 3 {
		e := engOpen(t, Config{DB: db})
		if _, err := e.Enqueue(context.Background(), Send{URL: sink.URL, Event: "call.created", Delay: time.Hour}); err != nil {
			t.Fatal(err)
		}
		ds, err := e.Deliveries(context.Background(), Filter{Status: StatusPending})
		if err != nil || len(ds) != i+1 {
			t.Fatalf("open %d: %d pending deliveries (%v), want %d", i+1, len(ds), err, i+1)
		}
		e.Close()
	}
}

// TestOutboxFileIsPrivate: the outbox holds webhook secrets, so its file
// and SQLite's WAL beside it are the owner's alone, whether the file is
// new or was left world-readable by an older mvh.
func TestOutboxFileIsPrivate(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(path string)
	}{
		{"new file", func(string) {}},
		{"existing world-readable file", func(path string) {
			e := engOpen(t, Config{DB: path})
			_ = e.Close()
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mvh.db")
			tt.prepare(path)
			e := engOpen(t, Config{DB: path})
			if _, err := e.CreateApplication(t.Context(), Application{Name: "shop", WebhookURL: "http://127.0.0.1:9/hook", Secrets: []string{"whsec_private"}}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal"} {
				fi, err := os.Stat(p)
				if err != nil {
					if p != path && errors.Is(err, os.ErrNotExist) {
						continue
					}
					t.Fatal(err)
				}
				if mode := fi.Mode().Perm(); mode&0o077 != 0 {
					t.Errorf("%s has mode %v, want no access for group and others", filepath.Base(p), mode)
				}
			}
		})
	}
}
