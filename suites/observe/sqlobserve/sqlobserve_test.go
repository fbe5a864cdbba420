package sqlobserve

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minivoice/mvh/dbtest"
)

// seed creates the events table a receiver would write, with one key
// recorded twice, through the writer's own connection.
func seed(t *testing.T, driver, dsn string) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`CREATE TABLE events (call_id TEXT NOT NULL, event TEXT NOT NULL, note TEXT)`,
		`INSERT INTO events VALUES ('c1', 'call.created', 'x'), ('c2', 'call.created', NULL), ('c1', 'call.created', NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestEngines counts rows per key, refuses to write and explains queries
// that do not fit, against a real PostgreSQL server and a real SQLite file.
func TestEngines(t *testing.T) {
	file := filepath.Join(t.TempDir(), "events.db")
	seed(t, "sqlite", file)
	engines := []struct{ name, dsn string }{
		{"sqlite", "sqlite://" + file},
		{"file", "file:" + file},
	}
	if !testing.Short() {
		pg := dbtest.StartPostgres(t)
		dsn := pg.Database(t, "receiver")
		seed(t, "pgx", dsn)
		engines = append(engines, struct{ name, dsn string }{"postgres", dsn})
	}
	if !testing.Short() {
		m := dbtest.StartMariaDB(t)
		dsn := m.Database(t, "receiver")
		src, err := mysqlSource(dsn)
		if err != nil {
			t.Fatal(err)
		}
		seed(t, "mysql", src)
		engines = append(engines, struct{ name, dsn string }{"mariadb", dsn})
	}
	ctx := context.Background()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			o, err := Open(e.dsn, concat(e.name, "call_id", "':'", "event")+" AS "+keyAlias(e.name)+", note FROM events", "")
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			counts, err := o.Counts(ctx)
			if err != nil || counts["c1:call.created"] != 2 || counts["c2:call.created"] != 1 || len(counts) != 2 {
				t.Fatalf("counts %v, %v", counts, err)
			}
			one, _ := Open(e.dsn, concat(e.name, "call_id", "':'", "event")+" FROM events", "")
			if n, err := one.Counts(ctx); err != nil || n["c1:call.created"] != 2 {
				t.Errorf("a query of one unnamed column: %v, %v; want it taken as the key", n, err)
			}
			one.Close()
			cases := []struct {
				query, key string
				want       error
			}{
				{`SELECT call_id, event FROM events`, "", ErrColumn},
				{`SELECT call_id FROM events`, "id", ErrColumn},
				{`SELECT note AS k FROM events`, "k", ErrNoKey},
			}
			for _, c := range cases {
				bad, _ := Open(e.dsn, c.query, c.key)
				if _, err := bad.Counts(ctx); !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", c.query, err, c.want)
				}
				bad.Close()
			}
			w, _ := Open(e.dsn, `INSERT INTO events VALUES ('c9', 'call.created', NULL) RETURNING call_id AS `+keyAlias(e.name), "")
			defer w.Close()
			if _, err := w.Counts(ctx); err == nil {
				t.Error("a writing query succeeded: the transaction is not read-only")
			}
			if after, _ := o.Counts(ctx); after["c9:call.created"] != 0 {
				t.Errorf("the observer wrote a row: %v", after)
			}
		})
	}
}

// concat joins SQL expressions in the engine's dialect: MySQL's || is OR.
func concat(engine string, parts ...string) string {
	if engine == "mariadb" {
		return "SELECT CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "SELECT " + strings.Join(parts, " || ")
}

// keyAlias is the column name key, quoted where it is a reserved word
// (MySQL and MariaDB).
func keyAlias(engine string) string {
	if engine == "mariadb" {
		return "`key`"
	}
	return "key"
}

func TestOpenRefusesBadInput(t *testing.T) {
	for _, c := range []struct{ dsn, query, want string }{
		{"redis://localhost", "SELECT 1", "unsupported DSN scheme"},
		{"mysql://", "SELECT 1", "want mysql://"},
		{"postgres://u:hunter2@127.0.0.1/db", "", "--inspect-query: required"},
	} {
		_, err := Open(c.dsn, c.query, "")
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q, %q) = %v, want an error with %q and no password", c.dsn, c.query, err, c.want)
		}
	}
	o, err := Open("postgres://u:hunter2@127.0.0.1:1/db", "SELECT 1 AS key", "")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Counts(context.Background()); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("unreachable database: %v, want an error without the password", err)
	}
	if err := o.Ping(context.Background()); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("ping of an unreachable database: %v, want an error without the password", err)
	}
}

func TestMySQLSource(t *testing.T) {
	got, err := mysqlSource("mysql://app:pw@127.0.0.1:3306/shop?parseTime=true")
	if err != nil || !strings.HasPrefix(got, "app:pw@tcp(127.0.0.1:3306)/shop?") || !strings.Contains(got, "parseTime=true") {
		t.Errorf("mysqlSource = %q, %v", got, err)
	}
}
