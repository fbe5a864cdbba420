package receiver

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx": PostgreSQL in pure Go, static binaries stay static
)

// pgSchema is schema in PostgreSQL's dialect: the same tables, keys and
// outbox, so a receiver that outgrows one SQLite file changes only its DSN.
func pgSchema() string {
	return strings.NewReplacer(
		"INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY",
		"INTEGER", "BIGINT",
		"BLOB", "BYTEA",
	).Replace(schema)
}

// isPostgres reports whether --db names a PostgreSQL server rather than a
// SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openPostgres connects to the server at dsn and creates the schema. Unlike
// SQLite, PostgreSQL serves concurrent writers, so the pool has several
// connections; the unique key still makes redeliveries one record.
func openPostgres(ctx context.Context, dsn string, outbox bool, unique string) (*store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open db %s: %w", redactDSN(dsn), err)
	}
	db.SetMaxOpenConns(8)
	if _, err := db.ExecContext(ctx, pgSchema()+keyIndex(unique)); err != nil {
		db.Close()
		return nil, fmt.Errorf("open db %s: %w", redactDSN(dsn), err)
	}
	return &store{db: db, outbox: outbox, postgres: true}, nil
}

// q adapts a query written with SQLite's ? placeholders to the store's
// engine: PostgreSQL numbers them ($1, $2, ...), and its outbox claim
// skips rows another worker has locked, which SQLite's single writer
// never needs.
func (s *store) q(query string) string {
	if !s.postgres {
		return query
	}
	query = strings.Replace(query, "LIMIT 1)", "LIMIT 1 FOR UPDATE SKIP LOCKED)", 1)
	return NumberPlaceholders(query)
}

// NumberPlaceholders rewrites the ? placeholders of query as PostgreSQL's
// $1, $2, ...; the queries here hold no ? inside string literals. Exported
// for receivers/faulty, which shares the reference's SQL.
func NumberPlaceholders(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redactDSN hides the password of a DSN in errors and logs.
func redactDSN(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme > 0 && scheme < at {
			user, _, _ := strings.Cut(dsn[scheme+3:at], ":")
			return dsn[:scheme+3] + user + ":xxxxx" + dsn[at:]
		}
	}
	return dsn
}
