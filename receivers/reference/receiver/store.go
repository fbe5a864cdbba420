package receiver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite": static binaries, no cgo
)

// schema gives each stored event a row and each event to forward an outbox
// row, written in the same transaction as its event, so an event is never
// stored without being queued, nor queued twice. What makes concurrent
// redeliveries one record is the unique index on (call_id, event) (see
// uniqueIndex), not a check-then-insert.
const schema = `
CREATE TABLE IF NOT EXISTS events (
	id          INTEGER PRIMARY KEY,
	call_id     TEXT    NOT NULL,
	event       TEXT    NOT NULL,
	envelope    BLOB    NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
	id           INTEGER PRIMARY KEY,
	event_id     INTEGER NOT NULL REFERENCES events (id),
	attempts     INTEGER NOT NULL DEFAULT 0,
	due_at       INTEGER NOT NULL,
	forwarded_at INTEGER,
	last_error   TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at) WHERE forwarded_at IS NULL;
`

// uniqueIndex keys events by its columns, eventKey for the reference.
const uniqueIndex = `CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (%s);`

// eventKey is what an event is unique on: the call and the event name.
const eventKey = "call_id, event"

// Store keeps events once by (call.id, event) and the outbox of what is
// still to forward. Any database with a unique key and transactions can be
// one; the receiver uses SQLite (store below).
type Store interface {
	// Save stores the event and queues it for forwarding in one step, and
	// reports whether it was new.
	Save(ctx context.Context, callID, event string, envelope []byte, now time.Time) (isNew bool, err error)
	// Claim takes the oldest due outbox row and hides it for lease.
	Claim(ctx context.Context, now time.Time, lease time.Duration) (p Pending, ok bool, err error)
	// Forwarded marks a row done: it is never sent again.
	Forwarded(ctx context.Context, id int64, now time.Time) error
	// Retry reschedules a row whose forward failed.
	Retry(ctx context.Context, id int64, at time.Time, cause error) error
	// Has reports whether the event is stored. The reference never asks
	// before saving (the unique key decides); receivers/faulty's
	// racy-dedupe does, which is its bug.
	Has(ctx context.Context, callID, event string) (bool, error)
	Close() error
}

// store is the receiver's SQLite database of events and their outbox.
type store struct {
	db       *sql.DB
	outbox   bool // queue new events for the forwarder
	postgres bool // a PostgreSQL server (--db postgres://...), not SQLite
}

// openStore opens (or creates) the database at path, a SQLite file or a
// PostgreSQL DSN, and replays its outbox. unique is the columns events are
// unique on: eventKey, or "" for none (only receivers/faulty asks for
// another key, to break deduplication).
func openStore(ctx context.Context, path string, outbox bool, unique string) (*store, error) {
	open := openSQLite
	if isPostgres(path) {
		open = openPostgres
	}
	st, err := open(ctx, path, outbox, unique)
	if err != nil {
		return nil, err
	}
	if err := st.replay(ctx, time.Now()); err != nil {
		st.Close()
		return nil, fmt.Errorf("open db %s: %w", redactDSN(path), err)
	}
	return st, nil
}

// openSQLite opens the SQLite file at path, or a database in memory. One
// connection serves everything: ":memory:" is one database per connection,
// and a single writer is all SQLite allows anyway, so requests queue in
// database/sql rather than fail with SQLITE_BUSY.
func openSQLite(ctx context.Context, path string, outbox bool, unique string) (*store, error) {
	dsn := path
	if path != ":memory:" {
		dsn = "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schema+keyIndex(unique)); err != nil {
		db.Close()
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	return &store{db: db, outbox: outbox}, nil
}

// replay makes every outbox row not yet forwarded due now. It runs at
// start: a row claimed by a process that died (SIGKILL, a crash, a
// deploy) stays hidden for its lease otherwise, and its record would reach
// the downstream only a minute later. A row forwarded just before the
// crash, but not yet marked, is sent again: at least once, never lost;
// the Idempotency-Key lets the downstream absorb it.
func (s *store) replay(ctx context.Context, now time.Time) error {
	if !s.outbox {
		return nil
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET due_at = ? WHERE forwarded_at IS NULL AND due_at > ?`),
		now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("replay outbox: %w", err)
	}
	return nil
}

// keyIndex is the statement creating the unique index on columns, if any.
func keyIndex(columns string) string {
	if columns == "" {
		return ""
	}
	return fmt.Sprintf(uniqueIndex, columns)
}

// Close closes the database.
func (s *store) Close() error { return s.db.Close() }

// Save stores the event envelope once per (callID, event) and reports
// whether it was new. A duplicate is not an error: it is the normal result
// of MiniVoice's at-least-once delivery.
func (s *store) Save(ctx context.Context, callID, event string, envelope []byte, now time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var id int64
	err = tx.QueryRowContext(ctx,
		s.q(`INSERT INTO events (call_id, event, envelope, received_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT DO NOTHING RETURNING id`),
		callID, event, envelope, now.UnixMilli()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, tx.Commit() // stored before: a redelivery
	}
	if err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	if s.outbox {
		if _, err := tx.ExecContext(ctx,
			s.q(`INSERT INTO outbox (event_id, due_at) VALUES (?, ?)`),
			id, now.UnixMilli()); err != nil {
			return false, fmt.Errorf("queue %s:%s: %w", callID, event, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	return true, nil
}

// Pending is an outbox row claimed for forwarding.
type Pending struct {
	ID       int64
	CallID   string
	Event    string
	Attempts int
	Envelope []byte
}

// Claim takes the oldest due outbox row and hides it for lease, so that
// several forwarder workers never send the same row at once and a row
// whose worker died is retried when the lease ends. ok is false when no row
// is due.
func (s *store) Claim(ctx context.Context, now time.Time, lease time.Duration) (p Pending, ok bool, err error) {
	var eventID int64
	err = s.db.QueryRowContext(ctx,
		s.q(`UPDATE outbox SET due_at = ?, attempts = attempts + 1
		 WHERE id = (SELECT id FROM outbox WHERE forwarded_at IS NULL AND due_at <= ?
		             ORDER BY due_at, id LIMIT 1)
		 RETURNING id, event_id, attempts`),
		now.Add(lease).UnixMilli(), now.UnixMilli()).Scan(&p.ID, &eventID, &p.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("claim outbox row: %w", err)
	}
	err = s.db.QueryRowContext(ctx, s.q(`SELECT call_id, event, envelope FROM events WHERE id = ?`),
		eventID).Scan(&p.CallID, &p.Event, &p.Envelope)
	if err != nil {
		return p, false, fmt.Errorf("claim outbox row %d: %w", p.ID, err)
	}
	return p, true, nil
}

// Forwarded marks a row done after the downstream answered 2xx; it is never
// sent again.
func (s *store) Forwarded(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET forwarded_at = ?, last_error = NULL WHERE id = ?`),
		now.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("mark outbox row %d forwarded: %w", id, err)
	}
	return nil
}

// Retry reschedules a row whose forward failed.
func (s *store) Retry(ctx context.Context, id int64, at time.Time, cause error) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET due_at = ?, last_error = ? WHERE id = ?`),
		at.UnixMilli(), cause.Error(), id)
	if err != nil {
		return fmt.Errorf("reschedule outbox row %d: %w", id, err)
	}
	return nil
}

// Has reports whether an event of callID named event is stored.
func (s *store) Has(ctx context.Context, callID, event string) (bool, error) {
	var has bool
	err := s.db.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM events WHERE call_id = ? AND event = ?)`),
		callID, event).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("look up %s:%s: %w", callID, event, err)
	}
	return has, nil
}
