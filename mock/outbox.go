package mock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// lockWaitMillis is the SQLite busy_timeout. The engine holds its outbox
// exclusively, so waiting only ever matters when a second process tries to
// open the same file; a short wait keeps that failure quick.
const lockWaitMillis = 250

// migrations build the outbox schema step by step; PRAGMA user_version
// records how many have run, so opening an existing file is idempotent and a
// later version only appends steps.
var migrations = []string{
	`CREATE TABLE IF NOT EXISTS applications (
		id TEXT PRIMARY KEY, name TEXT NOT NULL, webhook_url TEXT NOT NULL,
		secrets TEXT NOT NULL, schedule TEXT NOT NULL, chaos TEXT NOT NULL,
		created_at INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS deliveries (
		id TEXT PRIMARY KEY, application_id TEXT NOT NULL, url TEXT NOT NULL,
		event TEXT NOT NULL, call_id TEXT NOT NULL, body BLOB NOT NULL,
		secrets TEXT NOT NULL, schedule TEXT NOT NULL, lost_ack INTEGER NOT NULL,
		chaos_log TEXT NOT NULL, resend_of TEXT NOT NULL, after_id TEXT NOT NULL,
		status TEXT NOT NULL, attempts INTEGER NOT NULL, slot INTEGER NOT NULL,
		created_at INTEGER NOT NULL, origin INTEGER NOT NULL,
		next_attempt_at INTEGER NOT NULL);
	CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries(status);
	CREATE INDEX IF NOT EXISTS deliveries_call ON deliveries(call_id);
	CREATE INDEX IF NOT EXISTS deliveries_after ON deliveries(after_id);
	CREATE TABLE IF NOT EXISTS attempts (
		delivery_id TEXT NOT NULL, n INTEGER NOT NULL,
		scheduled_at INTEGER NOT NULL, started_at INTEGER NOT NULL,
		latency INTEGER NOT NULL, status INTEGER NOT NULL,
		error_class TEXT NOT NULL, error TEXT NOT NULL,
		response_headers TEXT NOT NULL, response_body TEXT NOT NULL,
		next_retry_at INTEGER,
		PRIMARY KEY (delivery_id, n));`,
	// Attempts record the real time they went out beside their schedule
	// time, and the headers they were signed and sent with.
	`ALTER TABLE attempts ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE attempts ADD COLUMN request_headers TEXT NOT NULL DEFAULT '{}';`,
}

// openOutbox opens or creates the SQLite outbox. File outboxes run in WAL
// mode with an exclusive lock held for the engine's lifetime, so a second
// process fails fast with ErrLocked instead of double-delivering.
func openOutbox(ctx context.Context, path string) (*sql.DB, error) {
	if err := private(path); err != nil {
		return nil, fmt.Errorf("outbox %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("outbox %s: %w", path, err)
	}
	// One connection: a :memory: database lives and dies with its
	// connection, and a file outbox is locked by exactly one.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox %s: %w", path, outboxError(err))
	}
	return db, nil
}

// private creates the outbox file readable by its owner only, or makes an
// existing one so: it holds the applications' webhook secrets. SQLite gives
// its -wal and -shm files the main file's mode.
func private(path string) error {
	if path == MemoryDB {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// dsn makes the driver URI for path. locking_mode is set before
// journal_mode (the driver applies _pragma first) so WAL runs without shared
// memory and the lock is never released while the engine runs.
func dsn(path string) string {
	if path == MemoryDB {
		return MemoryDB + "?_txlock=immediate"
	}
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() +
		fmt.Sprintf("?_pragma=busy_timeout(%d)", lockWaitMillis) +
		"&_pragma=locking_mode(EXCLUSIVE)&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"
}

// migrate runs the missing schema steps in one immediate transaction, which
// also takes the write lock that keeps other processes out.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: schema version %d is newer than this mvh (%d)", ErrCorrupt, version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("schema step %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}

// outboxError maps SQLite's result codes onto the sentinels the CLI and API
// branch on.
func outboxError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w (%v)", ErrLocked, err)
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%w (%v)", ErrCorrupt, err)
	}
	return err
}
