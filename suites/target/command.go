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
	// Line is the command line; {port}, {secret}, {sink_url}, {url} and
	// {state_dir} are expanded. It runs through /bin/sh only when it uses shell syntax.
	Line string
	// Env adds KEY=VALUE entries (placeholders expanded) to the harness's
	// environment; PORT={port} and MVH_STATE_DIR={state_dir} are always
	// set first, so receivers that follow those conventions need no flag.
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
// output lines. The receiver can be restarted (Receiver.Restart): the same
// command, port, environment and {state_dir}, which Stop removes.
func (c Command) Start(ctx context.Context, p Params) (*Receiver, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", c, err)
	}
	state, err := os.MkdirTemp("", "mvh-state-")
	if err != nil {
		return nil, fmt.Errorf("target %s: state dir: %w", c, err)
	}
	vars := c.vars(port, p)
	vars[VarStateDir] = state
	argv := commandArgs(Expand(c.Line, vars))
	if len(argv) == 0 {
		_ = os.RemoveAll(state)
		return nil, fmt.Errorf("target %s: empty command", c)
	}
	env := append(os.Environ(), "PORT="+port, StateEnv+"="+state)
	for _, kv := range c.Env {
		env = append(env, Expand(kv, vars))
	}
	run := &running{argv: argv, env: env, url: vars[VarURL], state: state, out: &ring{},
		timeout: c.ReadyTimeout, secret: p.Secret, name: c.String()}
	if err := run.start(ctx); err != nil {
		_ = run.stop(context.Background())
		return nil, err
	}
	return &Receiver{URL: run.url, Description: c.String(), Logs: run.out.Bytes, Stop: run.stop, Restarter: run,
		Vars: public(vars)}, nil
}

// public is vars without the secret.
func public(vars map[string]string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		if k != VarSecret {
			out[k] = v
		}
	}
	return out
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

// running is a started command: the process of the moment, and all it
// takes to start it again the same way.
type running struct {
	argv, env        []string
	url, state, name string
	secret           string
	timeout          time.Duration
	out              *ring

	mu      sync.Mutex
	proc    *process
	stopped bool
}

// start runs the command once more and waits until it listens.
func (r *running) start(ctx context.Context) error {
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.out, r.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("target %s: %w: %v", r.name, ErrNotReady, err)
	}
	proc := &process{cmd: cmd, done: make(chan struct{})}
	go proc.wait()
	r.mu.Lock()
	r.proc = proc
	r.mu.Unlock()
	if err := awaitListening(ctx, r.url, r.timeout, proc); err != nil {
		return fmt.Errorf("target %s: %w; last output: %s", r.name, err,
			strings.ReplaceAll(r.out.lastLines(outputLines, r.secret), "\n", " | "))
	}
	return nil
}

// Restart ends the process (SIGTERM then SIGKILL after the grace period
// for Graceful, SIGKILL at once for Crash), then starts the same command
// on the same port and waits until it listens again.
func (r *running) Restart(ctx context.Context, m Mode) (string, error) {
	r.mu.Lock()
	proc, stopped := r.proc, r.stopped
	r.mu.Unlock()
	if stopped {
		return "", fmt.Errorf("target %s: restart after stop", r.name)
	}
	if m == Crash {
		proc.kill()
	} else {
		proc.stop(ctx)
	}
	fmt.Fprintf(r.out, "mvh: receiver stopped (%s restart), starting it again\n", m)
	return r.url, r.start(ctx)
}

// stop ends the receiver for good and removes its state directory; it is
// safe to call more than once.
func (r *running) stop(ctx context.Context) error {
	r.mu.Lock()
	proc := r.proc
	r.stopped = true
	r.mu.Unlock()
	if proc != nil {
		proc.stop(ctx)
	}
	if err := os.RemoveAll(r.state); err != nil {
		return fmt.Errorf("target %s: remove state dir: %w", r.name, err)
	}
	return nil
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
func (p *process) stop(ctx context.Context) {
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
}

// kill sends SIGKILL to the whole group at once, as a crash or the OOM
// killer would, and waits for the exit.
func (p *process) kill() {
	p.once.Do(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
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
