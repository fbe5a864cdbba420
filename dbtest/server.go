// Package dbtest starts real database servers for tests, the way httptest
// starts HTTP servers: PostgreSQL and MariaDB from Debian's packages, each a
// fresh cluster in a temporary directory on a free loopback port, stopped
// and removed when the test ends. Observers and receivers are proved
// against these, never against a fake.
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
	"strconv"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds initialising a cluster plus the wait until it
// accepts connections, on a loaded machine.
const startTimeout = 90 * time.Second

// ErrNotInstalled means the server's binaries were not found.
var ErrNotInstalled = errors.New("database server not installed")

// missing skips t for a server that is not installed, or fails it in CI
// (CI=true, or MVH_REQUIRE_DATABASES=1 as .ci/run sets), so the tests that
// need one never skip silently there.
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("MVH_REQUIRE_DATABASES") == "1" || os.Getenv("CI") == "true" {
		t.Fatalf("%v", err)
	}
	t.Skipf("%v", err)
}

// cluster is a server's temporary directory and the user that owns it.
type cluster struct {
	dir  string
	cred *syscall.Credential // nil: the current user
	quit syscall.Signal      // asks the server for a fast, clean shutdown
}

// newCluster makes the directory, owned by nobody when the tests run as
// root: neither PostgreSQL nor a sane MariaDB runs as root.
func newCluster(t testing.TB) (*cluster, error) {
	c := &cluster{quit: syscall.SIGTERM}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root and no user nobody to own the cluster: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", "mvh-db-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c.dir = dir
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	return c, nil
}

// path is a file or directory in the cluster's directory.
func (c *cluster) path(name string) string { return filepath.Join(c.dir, name) }

// run runs an initialisation command to its end as the cluster's owner.
func (c *cluster) run(ctx context.Context, argv ...string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", filepath.Base(argv[0]), err, out)
	}
	return nil
}

// serve starts the server as the cluster's owner, logging to server.log,
// stops it when t ends, and waits until db answers a ping.
func (c *cluster) serve(ctx context.Context, t testing.TB, db *sql.DB, argv ...string) error {
	logf, err := os.Create(c.path("server.log"))
	if err != nil {
		return err
	}
	srv := exec.Command(argv[0], argv[1:]...)
	srv.Dir = c.dir
	srv.Stdout, srv.Stderr = logf, logf
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	if err := srv.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", filepath.Base(argv[0]), err)
	}
	done := make(chan struct{})
	go func() { _ = srv.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() { stop(srv, c.quit, done) })
	if err := awaitReady(ctx, db, done); err != nil {
		log, _ := os.ReadFile(c.path("server.log"))
		return fmt.Errorf("%s: %w; server log: %s", filepath.Base(argv[0]), err, log)
	}
	return nil
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
			return errors.New("exited before accepting connections")
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", err)
		case <-tick.C:
		}
	}
}

// stop sends the server its quit signal, then kills its process group if
// it lingers.
func stop(srv *exec.Cmd, quit syscall.Signal, done <-chan struct{}) {
	_ = srv.Process.Signal(quit)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// createDatabase runs CREATE DATABASE name through admin for t.
func createDatabase(t testing.TB, admin *sql.DB, quoted string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quoted); err != nil {
		t.Fatalf("create database %s: %v", quoted, err)
	}
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
