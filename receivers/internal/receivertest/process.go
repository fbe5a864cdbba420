package receivertest

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// Process is a receiver running as a real process, so that it can be
// killed: the test binary itself, re-executed with RunMainEnv=1 so that
// its TestMain runs the receiver's main instead of the tests (see
// RunMainIfAsked).
type Process struct {
	Addr string // where it listens
	Logs *Buffer

	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// RunMainEnv is the variable that turns a test binary into the receiver.
const RunMainEnv = "RECEIVERTEST_RUN_MAIN"

// RunMainIfAsked runs main instead of the tests when the binary was started
// by Start; call it first thing in TestMain.
func RunMainIfAsked(main func()) {
	if os.Getenv(RunMainEnv) == "1" {
		main()
		os.Exit(0)
	}
}

// Start runs the receiver with args and env (KEY=VALUE), waits until it
// listens, and kills it when the test ends.
func Start(t testing.TB, env []string, args ...string) *Process {
	t.Helper()
	p := &Process{Logs: &Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = append(append(os.Environ(), RunMainEnv+"=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.Logs, p.Logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); <-p.done })
	p.Addr = Listening(t, p.Logs)
	return p
}

// Kill sends SIGKILL, as a crash or an OOM kill would, and waits for the
// process to be gone.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t)
}

// Stop sends SIGTERM, as a deploy would, and returns the exit status.
func (p *Process) Stop(t testing.TB) int {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	return p.Wait(t)
}

// Wait waits for the process to exit on its own and returns its status.
func (p *Process) Wait(t testing.TB) int {
	t.Helper()
	p.wait(t)
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	return 0
}

func (p *Process) wait(t testing.TB) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("receiver did not exit\n%s", p.Logs)
	}
}
