// Package sqlobserve observes a receiver through its own database: most
// receivers write a row per business record and forward nothing, so the
// harness reads those rows. It lives apart from package observe so that the
// check packages link no database driver; only the runner that offers
// --inspect-sql does.
//
// The driver follows the DSN's scheme: postgres:// or postgresql:// (pgx),
// mysql:// (go-sql-driver/mysql, MariaDB too), sqlite: or file: (modernc's
// pure-Go SQLite). Every query runs in a read-only transaction, and SQLite
// files are opened read-only as well: the harness never writes.
package sqlobserve

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite", pure Go
)

// DefaultKey is the column that holds each record's key.
const DefaultKey = "key"

// queryTimeout bounds one count, connecting included.
const queryTimeout = 10 * time.Second

// Sentinels callers branch on: a DSN no driver serves is bad input (exit 2).
var (
	ErrScheme = errors.New("unsupported DSN scheme (want postgres://, postgresql://, mysql://, sqlite: or file:)")
	ErrColumn = errors.New("query returns no key column")
	ErrNoKey  = errors.New("record with a NULL key")
)

// Observer counts the rows of Query per value of its Key column (or of its
// only column, when no key was named).
type Observer struct {
	db     *sql.DB
	query  string
	key    string
	name   string // the DSN without its password, for errors and reports
	engine string
	// defaulted: no --inspect-key, so a query of one column needs no alias.
	defaulted bool
}

// Open prepares an observer of the database at dsn; it connects on the
// first count, so a database that comes up with the receiver is fine.
// key is the column holding each record's key ("" means DefaultKey).
func Open(dsn, query, key string) (*Observer, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("--inspect-query: required with --inspect-sql, e.g. SELECT call_id || ':' || event AS key FROM events")
	}
	defaulted := key == ""
	if defaulted {
		key = DefaultKey
	}
	driver, source, err := driverFor(dsn)
	if err != nil {
		return nil, fmt.Errorf("--inspect-sql %s: %w", redact(dsn), err)
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("--inspect-sql %s: %w", redact(dsn), err)
	}
	db.SetMaxOpenConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	return &Observer{db: db, query: query, key: key, name: redact(dsn), engine: driver, defaulted: defaulted}, nil
}

// Kind is "sql", for reports and skip reasons.
func (o *Observer) Kind() string { return "sql" }

// String names the database without its password.
func (o *Observer) String() string { return o.name }

// Ping connects (or reuses a connection), so a database that is not
// there is one clear error before the run rather than failed checks.
func (o *Observer) Ping(ctx context.Context) error {
	if err := o.db.PingContext(ctx); err != nil {
		return fmt.Errorf("--inspect-sql %s: %w", o.name, err)
	}
	return nil
}

// Close closes the connections.
func (o *Observer) Close() error { return o.db.Close() }

// Counts runs the query in a read-only transaction and counts rows per key.
func (o *Observer) Counts(ctx context.Context) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	tx, err := o.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", o.name, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	rows, err := tx.QueryContext(ctx, o.query)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: query: %w", o.name, err)
	}
	defer rows.Close()
	counts, err := o.count(rows)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", o.name, err)
	}
	return counts, nil
}

// count reads every row, keeping only the key column.
func (o *Observer) count(rows *sql.Rows) (map[string]int, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	at := -1
	for i, c := range cols {
		if strings.EqualFold(c, o.key) {
			at = i
		}
	}
	if at < 0 && len(cols) == 1 && o.defaulted {
		at = 0 // one column and no --inspect-key: it is the key (key is reserved in MySQL)
	}
	if at < 0 {
		return nil, fmt.Errorf("%w %q (columns: %s; name one with AS %s or --inspect-key)",
			ErrColumn, o.key, strings.Join(cols, ", "), o.key)
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(sql.RawBytes)
	}
	counts := map[string]int{}
	for n := 0; rows.Next(); n++ {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("row %d: %w", n, err)
		}
		k := *dest[at].(*sql.RawBytes)
		if k == nil {
			return nil, fmt.Errorf("row %d: %w in column %s", n, ErrNoKey, o.key)
		}
		counts[string(k)]++
	}
	return counts, rows.Err()
}

// driverFor maps a DSN to a registered driver and the source it takes.
func driverFor(dsn string) (driver, source string, err error) {
	scheme, rest, _ := strings.Cut(dsn, ":")
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return "pgx", dsn, nil
	case "mysql":
		src, err := mysqlSource(dsn)
		return "mysql", src, err
	case "sqlite", "file":
		return "sqlite", sqliteSource(rest), nil
	}
	return "", "", ErrScheme
}

// mysqlSource turns mysql://user:pass@host:port/db?params into the
// driver's user:pass@tcp(host:port)/db?params form.
func mysqlSource(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "", errors.New("want mysql://USER:PASSWORD@HOST:PORT/DATABASE")
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.Timeout = 5 * time.Second
	if len(u.Query()) > 0 {
		cfg.Params = map[string]string{}
		for k := range u.Query() {
			cfg.Params[k] = u.Query().Get(k)
		}
	}
	return cfg.FormatDSN(), nil
}

// sqliteSource opens the file read-only and query-only, and waits for a
// writer's lock instead of failing with SQLITE_BUSY.
func sqliteSource(rest string) string {
	path, query, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "?")
	v, _ := url.ParseQuery(query)
	v.Set("mode", "ro")
	v.Add("_pragma", "query_only(1)")
	v.Add("_pragma", "busy_timeout(5000)")
	return "file:" + path + "?" + v.Encode()
}

// redact hides a URL DSN's password.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
