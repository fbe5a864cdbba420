package target

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of a command target.
const (
	DefaultPath         = "/webhooks/minivoice"
	DefaultReadyTimeout = 30 * time.Second
	// stopGrace is how long a receiver gets between SIGTERM and SIGKILL.
	stopGrace = 5 * time.Second
	// outputLines is how much output a not-ready error quotes.
	outputLines = 8
)

// Command is a receiver the harness starts as a local process, in its own
// process group so that Stop also ends whatever the command spawned.
type Command struct {
	// Line is the command line; {port}, {secret}, {sink_url} and {url} are
	// expanded. It runs through /bin/sh only when it uses shell syntax.
	Line string
	// Env adds KEY=VALUE entries (placeholders expanded) to the harness's
	// environment; PORT={port} is always set first, so receivers that
	// follow that convention need no flag.
	Env []string
	// URL overrides the webhook URL (placeholders expanded); by default it
	// is http://127.0.0.1:{port}{Path}.
	URL string
	// Path is the webhook path of the default URL.
	Path string
	// ReadyTimeout bounds the wait until the receiver accepts connections.
	ReadyTimeout time.Duration
}

func (c Command) String() string { return "command " + c.Line }

// Start runs the command and waits until it listens. A receiver that exits
// or never listens is an error wrapping ErrNotReady that quotes its last
// output lines.
func (c Command) Start(ctx context.Context, p Params) (*Receiver, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", c, err)
	}
	vars := c.vars(port, p)
	argv := commandArgs(Expand(c.Line, vars))
	if len(argv) == 0 {
		return nil, fmt.Errorf("target %s: empty command", c)
	}
	out := &ring{}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "PORT="+port)
	for _, kv := range c.Env {
		cmd.Env = append(cmd.Env, Expand(kv, vars))
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("target %s: %w: %v", c, ErrNotReady, err)
	}
	proc := &process{cmd: cmd, done: make(chan struct{})}
	go proc.wait()
	r := &Receiver{URL: vars[VarURL], Description: c.String(), Logs: out.Bytes, Stop: proc.stop}
	if err := awaitListening(ctx, r.URL, c.ReadyTimeout, proc); err != nil {
		_ = proc.stop(context.Background())
		return nil, fmt.Errorf("target %s: %w; last output: %s", c, err,
			strings.ReplaceAll(out.lastLines(outputLines, p.Secret), "\n", " | "))
	}
	return r, nil
}

// vars are the placeholder values of one start.
func (c Command) vars(port string, p Params) map[string]string {
	path := c.Path
	if path == "" {
		path = DefaultPath
	}
	vars := map[string]string{VarPort: port, VarSecret: p.Secret, VarSinkURL: p.SinkURL}
	vars[VarURL] = "http://127.0.0.1:" + port + path
	if c.URL != "" {
		vars[VarURL] = Expand(c.URL, vars)
	}
	return vars
}

// awaitListening dials the URL's host until it answers, the process (if
// any) exits or timeout passes; the dial loop is bounded by that timeout.
func awaitListening(ctx context.Context, rawURL string, timeout time.Duration, proc *process) error {
	addr, err := hostPort(rawURL)
	if err != nil {
		return err
	}
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var exited <-chan struct{} // nil: no process to watch
	if proc != nil {
		exited = proc.done
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		d := net.Dialer{Timeout: time.Second}
		if conn, err := d.DialContext(ctx, "tcp", addr); err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%w: exited (%v) before listening on %s", ErrNotReady, proc.err, addr)
		case <-ctx.Done():
			return fmt.Errorf("%w: not listening on %s after %s", ErrNotReady, addr, timeout)
		case <-tick.C:
		}
	}
}

// process is a started command and its exit.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	once sync.Once
}

func (p *process) wait() {
	p.err = p.cmd.Wait()
	close(p.done)
}

// stop sends SIGTERM to the whole group, then SIGKILL after stopGrace (or
// when ctx ends); it is safe to call more than once.
func (p *process) stop(ctx context.Context) error {
	p.once.Do(func() {
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		timer := time.NewTimer(stopGrace)
		defer timer.Stop()
		select {
		case <-p.done:
		case <-timer.C:
		case <-ctx.Done():
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL) // children left in the group
		<-p.done
	})
	return nil
}

// freePort asks the kernel for a free loopback port; the tiny window
// before the receiver binds it is accepted.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// shellSyntax are the characters that make a command line need /bin/sh.
const shellSyntax = "|&;<>()$`\\\"'*?[]#~\n"

// commandArgs splits a plain command line on spaces and hands anything
// with shell syntax to /bin/sh, so both "bin/reference --addr ..." (also in
// a scratch image without a shell) and "cd x && ./run" work.
func commandArgs(line string) []string {
	if strings.ContainsAny(line, shellSyntax) {
		return []string{"/bin/sh", "-c", line}
	}
	return strings.Fields(line)
}

// hostPort extracts the address to dial from a webhook URL.
func hostPort(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("receiver url %q: want http://host:port/path", rawURL)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}
