package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", as in the reference

	reference "github.com/minivoice/mvh/receivers/reference/receiver"
)

// isPostgres reports whether --db names a PostgreSQL server, as in the
// reference receiver: the defects must show through a database observer
// too, not only through the sink.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openPostgres creates the defect's schema on a PostgreSQL server.
func openPostgres(ctx context.Context, dsn, key, defect string) (*store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open db: %w", err)
	}
	db.SetMaxOpenConns(8)
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS events (
		id BIGSERIAL PRIMARY KEY, call_id TEXT NOT NULL, event TEXT NOT NULL, envelope BYTEA NOT NULL`+key+`)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open db: %w", err)
	}
	return &store{db: db, defect: defect, postgres: true}, nil
}

// q numbers a query's ? placeholders for PostgreSQL ($1, $2, ...).
func (s *store) q(query string) string {
	if !s.postgres {
		return query
	}
	return reference.NumberPlaceholders(query)
}
