package harness

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minivoice/mvh/suites/target"
)

// TestObserve picks the observer the flags name once the receiver is up,
// with the receiver's {state_dir} expanded, and refuses what cannot work
// as bad configuration before any delivery.
func TestObserve(t *testing.T) {
	state := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(state, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE events (k TEXT); INSERT INTO events VALUES ('a'), ('a'), ('b')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(state, "keys"), []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		o    Observation
		kind string // "" means ErrConfig
		want map[string]int
	}{
		{"sql in state_dir", Observation{InspectSQL: "sqlite:{state_dir}/events.db", InspectQuery: "SELECT k AS key FROM events"},
			"sql", map[string]int{"a": 2, "b": 1}},
		{"command in state_dir", Observation{InspectCmd: "cat {state_dir}/keys"}, "command", map[string]int{"a": 1, "b": 1}},
		{"no observer", Observation{}, "none", nil},
		{"unreachable database", Observation{InspectSQL: "postgres://app:hunter2@127.0.0.1:1/x", InspectQuery: "SELECT 1 AS key"}, "", nil},
		{"unknown scheme", Observation{InspectSQL: "redis://127.0.0.1:1", InspectQuery: "SELECT 1 AS key"}, "", nil},
		{"exec without a container", Observation{InspectExec: "/reference --dump-records"}, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &Env{Receiver: &target.Receiver{Vars: map[string]string{target.VarStateDir: state}}}
			defer e.closeObserver()
			err := e.Observe(context.Background(), c.o, OpenSQL)
			if c.kind == "" {
				if !errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %v, want ErrConfig without the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.kind == "none" {
				if e.Observer != nil {
					t.Errorf("observer %s, want none", e.Observer.Kind())
				}
				return
			}
			counts, err := e.Observer.Counts(context.Background())
			if e.Observer.Kind() != c.kind || err != nil || len(counts) != len(c.want) {
				t.Fatalf("%s observer counted %v, %v; want %s %v", e.Observer.Kind(), counts, err, c.kind, c.want)
			}
			for k, n := range c.want {
				if counts[k] != n {
					t.Errorf("%s: %d, want %d", k, counts[k], n)
				}
			}
		})
	}
}
