package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
)

// racyWindow is the pause between racy-dedupe's SELECT and INSERT. It stands
// for real work done between the two (a lookup, a log line, a slow disk) and
// is long enough that parallel duplicates always meet inside it, so the
// defect shows on every run, while sequential redeliveries never do.
const racyWindow = 100 * time.Millisecond

// store keeps the received events. Its key depends on the defect: (call_id,
// event) like the reference, call_id alone (dedupe-by-call-id), or none at
// all (no-dedupe, racy-dedupe).
type store struct {
	db       *sql.DB
	defect   string
	postgres bool // a PostgreSQL server (--db postgres://...), not SQLite
	cache    dedupeCache
}

// openStore opens the database with the schema the defect calls for. One
// connection, as in the reference: ":memory:" is one database per connection.
func openStore(ctx context.Context, path, defect string) (*store, error) {
	key := ", UNIQUE (call_id, event)"
	switch defect {
	case dedupeByCallID:
		key = ", UNIQUE (call_id)"
	case noDedupe, racyDedupe, dedupeByBody, shortDedupeCache:
		key = ""
	}
	if isPostgres(path) {
		return openPostgres(ctx, path, key, defect)
	}
	dsn := path
	if path != ":memory:" {
		dsn = "file:" + path + "?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS events (
		id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, event TEXT NOT NULL, envelope BLOB NOT NULL`+key+`)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open db %s: %w", path, err)
	}
	return &store{db: db, defect: defect}, nil
}

// Close closes the database.
func (s *store) Close() error { return s.db.Close() }

// Save stores an event and reports whether it was new.
func (s *store) Save(ctx context.Context, callID, event string, envelope []byte) (bool, error) {
	switch s.defect {
	case noDedupe:
		return true, s.insert(ctx, `INSERT INTO events (call_id, event, envelope) VALUES (?, ?, ?)`, callID, event, envelope)
	case racyDedupe:
		return s.checkThenInsert(ctx, callID, event, envelope)
	case dedupeByBody:
		return s.saveByBody(ctx, callID, event, envelope)
	case shortDedupeCache:
		return s.cache.save(ctx, s, callID, event, envelope)
	}
	res, err := s.db.ExecContext(ctx,
		s.q(`INSERT INTO events (call_id, event, envelope) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
		callID, event, envelope)
	if err != nil {
		return false, fmt.Errorf("save %s:%s: %w", callID, event, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// checkThenInsert is the racy-dedupe bug: the existence check and the insert
// are separate statements, with no constraint to catch what slips between.
func (s *store) checkThenInsert(ctx context.Context, callID, event string, envelope []byte) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM events WHERE call_id = ? AND event = ?`),
		callID, event).Scan(&n)
	if err != nil || n > 0 {
		return false, err
	}
	select {
	case <-time.After(racyWindow):
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return true, s.insert(ctx, `INSERT INTO events (call_id, event, envelope) VALUES (?, ?, ?)`, callID, event, envelope)
}

func (s *store) insert(ctx context.Context, query string, args ...any) error {
	if _, err := s.db.ExecContext(ctx, s.q(query), args...); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// Progressed reports whether the call already has a later event but no
// call.created: reject-out-of-order then refuses the late call.created (a
// redelivery of a stored call.created is still a plain duplicate).
func (s *store) Progressed(ctx context.Context, callID string) (bool, error) {
	var progressed bool
	err := s.db.QueryRowContext(ctx,
		s.q(`SELECT EXISTS (SELECT 1 FROM events WHERE call_id = ? AND event <> 'call.created')
		    AND NOT EXISTS (SELECT 1 FROM events WHERE call_id = ? AND event = 'call.created')`),
		callID, callID).Scan(&progressed)
	return progressed, err
}
