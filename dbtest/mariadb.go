package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MariaDB is a running throwaway MariaDB server.
type MariaDB struct {
	// Addr is the loopback HOST:PORT it listens on.
	Addr  string
	admin *sql.DB
}

// StartMariaDB starts a MariaDB server (Debian's mariadb-server) for t, or
// skips t when none is installed (fails it in CI, as for PostgreSQL). It runs without
// grant tables: any user may connect, which is all a test needs.
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	server, err := lookPath("mariadbd")
	install, ierr := lookPath("mariadb-install-db")
	if err != nil || ierr != nil {
		missing(t, fmt.Errorf("mariadb: %w (apt-get install mariadb-server, or make mariadb)", ErrNotInstalled))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	began := time.Now()
	m, err := startMariaDB(ctx, t, install, server)
	if err != nil {
		t.Fatalf("mariadb: %v", err)
	}
	t.Logf("mariadb on %s: install-db and start took %s", m.Addr, time.Since(began).Round(time.Millisecond))
	return m
}

func startMariaDB(ctx context.Context, t testing.TB, install, server string) (*MariaDB, error) {
	c, err := newCluster(t)
	if err != nil {
		return nil, err
	}
	data := c.path("data")
	if err := c.run(ctx, install, "--no-defaults", "--datadir="+data,
		"--auth-root-authentication-method=normal", "--skip-test-db"); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &MariaDB{Addr: net.JoinHostPort("127.0.0.1", port)}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", m.Addr
	if m.admin, err = sql.Open("mysql", cfg.FormatDSN()); err != nil {
		return nil, err
	}
	t.Cleanup(func() { m.admin.Close() })
	err = c.serve(ctx, t, m.admin, server, "--no-defaults", "--datadir="+data, "--port="+port,
		"--bind-address=127.0.0.1", "--socket="+c.path("mysqld.sock"), "--pid-file="+c.path("mysqld.pid"),
		"--skip-grant-tables", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0")
	return m, err
}

// Database creates a fresh database for t and returns its DSN, a mysql://
// URL as --inspect-sql takes it.
func (m *MariaDB) Database(t testing.TB, name string) string {
	t.Helper()
	createDatabase(t, m.admin, "`"+name+"`")
	return "mysql://root@" + m.Addr + "/" + name
}

// lookPath finds a program on PATH or where Debian installs servers
// (/usr/sbin is not on every user's PATH).
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, ErrNotInstalled)
}
