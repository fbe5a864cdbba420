package receiver

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestQueriesForPostgres(t *testing.T) {
	pg, lite := &store{postgres: true}, &store{}
	claim := `UPDATE outbox SET due_at = ? WHERE id = (SELECT id FROM outbox WHERE due_at <= ? LIMIT 1) RETURNING id`
	if got := lite.q(claim); got != claim {
		t.Errorf("SQLite query rewritten: %s", got)
	}
	want := `UPDATE outbox SET due_at = $1 WHERE id = (SELECT id FROM outbox WHERE due_at <= $2 LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`
	if got := pg.q(claim); got != want {
		t.Errorf("PostgreSQL query\n got %s\nwant %s", got, want)
	}
	for dsn, want := range map[string]string{
		"postgres://app:s3cret@db:5432/events": "postgres://app:xxxxx@db:5432/events",
		"postgres://app@db/events":             "postgres://app:xxxxx@db/events",
		"/var/lib/events.db":                   "/var/lib/events.db",
	} {
		if got := redactDSN(dsn); got != want {
			t.Errorf("redactDSN(%s) = %s, want %s", dsn, got, want)
		}
	}
}

// TestDumpRecords: --dump-records prints what the store holds, keyed like
// the forwarded records, one JSON object a line.
func TestDumpRecords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "events.db")
	st, err := openStore(t.Context(), db, false, eventKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range [][2]string{{"call_1", "call.created"}, {"call_1", "call.created"}, {"call_2", "call.completed"}} {
		if _, err := st.Save(t.Context(), e[0], e[1], []byte(`{}`), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	var out bytes.Buffer
	if err := dumpRecords(t.Context(), db, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event_key":"call_1:call.created"`) ||
		!strings.Contains(lines[1], `"event_key":"call_2:call.completed"`) {
		t.Errorf("dump:\n%s", out.String())
	}
}

func TestNoForwardIgnoresDownstreamURL(t *testing.T) {
	env := mapEnv(map[string]string{"MVH_SECRET": "s", "DOWNSTREAM_URL": "http://127.0.0.1:1/"})
	c, err := parseConfig([]string{"--no-forward"}, env, nil)
	if err != nil || c.Downstream != "" {
		t.Errorf("--no-forward: downstream %q, %v; want none", c.Downstream, err)
	}
	if _, err := parseConfig([]string{"--no-forward", "--downstream", "http://127.0.0.1:1/"}, env, nil); err == nil {
		t.Error("--no-forward with --downstream accepted")
	}
}
