package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", to wait for the server and create databases
)

// Postgres is a running throwaway PostgreSQL server.
type Postgres struct {
	// Addr is the loopback HOST:PORT it listens on.
	Addr  string
	admin *sql.DB
}

// StartPostgres starts a PostgreSQL server for t, or skips t when none is
// installed (fails it in CI, or with MVH_REQUIRE_DATABASES=1). As root, the
// cluster belongs to nobody.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		missing(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	began := time.Now()
	pg, err := startPostgres(ctx, t, bin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Logf("postgres %s on %s: initdb and start took %s", filepath.Base(filepath.Dir(bin)), pg.Addr, time.Since(began).Round(time.Millisecond))
	return pg
}

// postgresBin finds the newest server under Debian's layout, or on PATH.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("postgres: %w (apt-get install postgresql, or make postgresql)", ErrNotInstalled)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func startPostgres(ctx context.Context, t testing.TB, bin string) (*Postgres, error) {
	c, err := newCluster(t)
	if err != nil {
		return nil, err
	}
	c.quit = syscall.SIGINT // fast shutdown: the test's connections may still be open
	data := c.path("data")
	if err := c.run(ctx, filepath.Join(bin, "initdb"), "-D", data,
		"-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Addr: net.JoinHostPort("127.0.0.1", port)}
	if pg.admin, err = sql.Open("pgx", pg.dsn("postgres")); err != nil {
		return nil, err
	}
	t.Cleanup(func() { pg.admin.Close() })
	err = c.serve(ctx, t, pg.admin, filepath.Join(bin, "postgres"), "-D", data, "-p", port,
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	return pg, err
}

// Database creates a fresh database for t and returns its DSN, a
// postgres:// URL for the superuser.
func (p *Postgres) Database(t testing.TB, name string) string {
	t.Helper()
	createDatabase(t, p.admin, `"`+name+`"`)
	return p.dsn(name)
}

func (p *Postgres) dsn(db string) string {
	return "postgres://postgres@" + p.Addr + "/" + db + "?sslmode=disable"
}
