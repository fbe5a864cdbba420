// Package dbtest starts real database servers for tests, the way httptest
// starts HTTP servers: a PostgreSQL cluster from Debian's packages in a
// temporary directory, on a free loopback port, stopped and removed when
// the test ends. Observers and receivers are proved against these, never
// against a fake.
package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", to wait for the server and create databases
)

// startTimeout bounds initdb plus the wait until the server accepts
// connections, on a loaded machine.
const startTimeout = 90 * time.Second

// ErrNoPostgres means no PostgreSQL server binaries were found.
var ErrNoPostgres = errors.New("no PostgreSQL server installed (apt-get install postgresql, or make postgresql)")

// Postgres is a running throwaway PostgreSQL server.
type Postgres struct {
	// Addr is the loopback HOST:PORT it listens on.
	Addr  string
	admin *sql.DB
}

// StartPostgres starts a PostgreSQL server for t, or skips t when none is
// installed; in CI (CI=true, or MVH_REQUIRE_POSTGRES=1 as .ci/run sets) a
// missing server fails t instead, so the tests that need one never skip
// silently there. Root cannot run
// PostgreSQL, so as root the cluster belongs to the unprivileged user
// nobody.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("MVH_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("postgres: %v", err)
		}
		t.Skipf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	pg, err := start(ctx, t, bin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
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
	return "", ErrNoPostgres
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func start(ctx context.Context, t testing.TB, bin string) (*Postgres, error) {
	cred, err := owner()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mvh-postgres-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data,
		"-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", port,
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	srv.Dir = dir
	srv.Stdout, srv.Stderr = logf, logf
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := srv.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() { stop(srv, done) })
	pg := &Postgres{Addr: net.JoinHostPort("127.0.0.1", port)}
	if pg.admin, err = sql.Open("pgx", pg.dsn("postgres")); err != nil {
		return nil, err
	}
	t.Cleanup(func() { pg.admin.Close() })
	if err := awaitReady(ctx, pg.admin, done); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("%w; server log: %s", err, log)
	}
	return pg, nil
}

// owner is who runs the server: nobody when the tests run as root, else
// the current user (nil credential).
func owner() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root and no user nobody to own the cluster: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// awaitReady pings until the server answers, exits or ctx ends.
func awaitReady(ctx context.Context, db *sql.DB, exited <-chan struct{}) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := db.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("postgres exited before accepting connections")
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w", err)
		case <-tick.C:
		}
	}
}

// stop asks for a fast shutdown (SIGINT), then kills the server's process
// group if it lingers.
func stop(srv *exec.Cmd, done <-chan struct{}) {
	_ = srv.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Database creates a fresh database for t and returns its DSN, a
// postgres:// URL for the superuser.
func (p *Postgres) Database(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return p.dsn(name)
}

func (p *Postgres) dsn(db string) string {
	return "postgres://postgres@" + p.Addr + "/" + db + "?sslmode=disable"
}

// freePort asks the kernel for a free loopback port.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}
