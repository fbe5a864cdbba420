package receiver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite": static binaries, no cgo
)

// schema keys events by (call_id, event): the unique constraint, not a
// check-then-insert, is what makes concurrent redeliveries one record. The
// outbox holds what is still to be forwarded downstream; a row is written in
// the same transaction as its event, so an event is never stored without
// being queued, nor queued twice.
const schema = `
CREATE TABLE IF NOT EXISTS events (
	call_id     TEXT    NOT NULL,
	event       TEXT    NOT NULL,
	envelope    BLOB    NOT NULL,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (call_id, event)
);
CREATE TABLE IF NOT EXISTS outbox (
	id           INTEGER PRIMARY KEY,
	call_id      TEXT    NOT NULL,
	event        TEXT    NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	due_at       INTEGER NOT NULL,
	forwarded_at INTEGER,
	last_error   TEXT,
	FOREIGN KEY (call_id, event) REFERENCES events (call_id, event)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at) WHERE forwarded_at IS NULL;
`

// store is the receiver's SQLite database of events and their outbox.
type store struct {
	db       *sql.DB
	outbox   bool // queue new events for the forwarder
	postgres bool // a PostgreSQL server (--db postgres://...), not SQLite
}

// openStore opens (or creates) the database at path. One connection serves
// everything: ":memory:" is one database per connection, and a single writer
// is all SQLite allows anyway, so requests queue in database/sql rather than
// fail with SQLITE_BUSY.
func openStore(ctx context.Context, path string, outbox bool) (*store, error) {
	if isPostgres(path) {
		return openPostgres(ctx, path, outbox)
	}
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
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	return &store{db: db, outbox: outbox}, nil
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
	res, err := tx.ExecContext(ctx,
		s.q(`INSERT INTO events (call_id, event, envelope, received_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (call_id, event) DO NOTHING`),
		callID, event, envelope, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, errors.Join(err, tx.Commit())
	}
	if s.outbox {
		if _, err := tx.ExecContext(ctx,
			s.q(`INSERT INTO outbox (call_id, event, due_at) VALUES (?, ?, ?)`),
			callID, event, now.UnixMilli()); err != nil {
			return false, fmt.Errorf("queue %s:%s: %w", callID, event, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	return true, nil
}

// pending is an outbox row claimed for forwarding.
type pending struct {
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
func (s *store) Claim(ctx context.Context, now time.Time, lease time.Duration) (p pending, ok bool, err error) {
	err = s.db.QueryRowContext(ctx,
		s.q(`UPDATE outbox SET due_at = ?, attempts = attempts + 1
		 WHERE id = (SELECT id FROM outbox WHERE forwarded_at IS NULL AND due_at <= ?
		             ORDER BY due_at, id LIMIT 1)
		 RETURNING id, call_id, event, attempts`),
		now.Add(lease).UnixMilli(), now.UnixMilli()).Scan(&p.ID, &p.CallID, &p.Event, &p.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("claim outbox row: %w", err)
	}
	err = s.db.QueryRowContext(ctx, s.q(`SELECT envelope FROM events WHERE call_id = ? AND event = ?`),
		p.CallID, p.Event).Scan(&p.Envelope)
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
