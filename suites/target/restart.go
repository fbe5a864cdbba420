package target

import (
	"context"
	"errors"
)

// Mode is how Receiver.Restart stops a receiver before starting it again.
type Mode int

// The two ways a receiver goes down in production: a deploy (graceful) and
// a crash or OOM kill, which gives it no chance to finish anything.
const (
	// Graceful asks the receiver to stop (SIGTERM, docker stop) and waits,
	// killing it only after a grace period.
	Graceful Mode = iota
	// Crash kills it at once (SIGKILL, docker kill).
	Crash
)

func (m Mode) String() string {
	if m == Crash {
		return "crash"
	}
	return "graceful"
}

// ErrNoRestart marks a receiver the harness cannot restart: a --url target
// without --restart-cmd. Checks that need a restart are skipped with it,
// never passed.
var ErrNoRestart = errors.New("receiver cannot be restarted")

// Restarter is the one thing the crash checks need from a target: stop the
// receiver the way m says, start it again with the same configuration
// (command, port, environment, state directory or volume), wait until it
// is ready, and return its webhook URL, which may have changed (a
// container's published port).
type Restarter interface {
	Restart(ctx context.Context, m Mode) (url string, err error)
}

// restartFunc adapts a function to Restarter.
type restartFunc func(ctx context.Context, m Mode) (string, error)

func (f restartFunc) Restart(ctx context.Context, m Mode) (string, error) { return f(ctx, m) }

// RestartFunc makes a Restarter of f, for targets outside this package.
func RestartFunc(f func(ctx context.Context, m Mode) (string, error)) Restarter {
	return restartFunc(f)
}
