package target

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// restartCmdTimeout bounds one --restart-cmd or --crash-cmd; waiting for the
// receiver to listen again is bounded separately by ReadyTimeout.
const restartCmdTimeout = 2 * time.Minute

// URL is a receiver that is already running (or still starting, say in a
// neighbouring container); the harness waits until it accepts connections,
// then only delivers to it and never starts or stops anything. With
// RestartCmd (and CrashCmd) the crash checks can restart it.
type URL struct {
	URL string
	// ReadyTimeout bounds the wait until the URL's host accepts connections.
	ReadyTimeout time.Duration
	// RestartCmd restarts the receiver gracefully (say "systemctl restart
	// hook" or "docker restart hook"); {url}, {secret} and {sink_url} are
	// expanded. Empty: the receiver cannot be restarted.
	RestartCmd string
	// CrashCmd kills the receiver and starts it again (say "docker kill
	// hook && docker start hook"); empty: RestartCmd serves for crashes too.
	CrashCmd string
}

// Start checks the URL and waits until it listens; p only fills the
// placeholders of the restart commands, because the receiver was
// configured by whoever started it.
func (u URL) Start(ctx context.Context, p Params) (*Receiver, error) {
	parsed, err := url.Parse(u.URL)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, fmt.Errorf("target url %q: want an absolute http:// or https:// URL", u.URL)
	}
	if err := awaitListening(ctx, u.URL, u.ReadyTimeout, nil); err != nil {
		return nil, fmt.Errorf("target %s: %w", u, err)
	}
	vars := map[string]string{VarURL: u.URL, VarSecret: p.Secret, VarSinkURL: p.SinkURL, VarPort: parsed.Port()}
	r := &Receiver{URL: u.URL, Description: u.String(), Vars: public(vars)}
	if u.RestartCmd == "" {
		r.NoRestart = "a --url receiver is restarted only with --restart-cmd (and optionally --crash-cmd)"
		return r, nil
	}
	r.Restarter = RestartFunc(func(ctx context.Context, m Mode) (string, error) {
		line := u.RestartCmd
		if m == Crash && u.CrashCmd != "" {
			line = u.CrashCmd
		}
		if err := runRestart(ctx, Expand(line, vars), p.Secret); err != nil {
			return "", fmt.Errorf("target %s: %s restart: %w", u, m, err)
		}
		if err := awaitListening(ctx, u.URL, u.ReadyTimeout, nil); err != nil {
			return "", fmt.Errorf("target %s: after %s restart: %w", u, m, err)
		}
		return u.URL, nil
	})
	return r, nil
}

// runRestart runs a restart command to its end; a failure quotes its last
// output lines, the secret masked.
func runRestart(ctx context.Context, line, secret string) error {
	argv := commandArgs(line)
	if len(argv) == 0 {
		return fmt.Errorf("empty command")
	}
	ctx, cancel := context.WithTimeout(ctx, restartCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		var r ring
		_, _ = r.Write(out.Bytes())
		return fmt.Errorf("%v; last output: %s", err, strings.ReplaceAll(r.lastLines(outputLines, secret), "\n", " | "))
	}
	return nil
}

func (u URL) String() string { return "url " + u.URL }
