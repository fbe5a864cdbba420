package main

import (
	"errors"
	"fmt"
)

// Exit codes of every mvh command.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed, a delivery was not accepted, a signature is invalid
	exitUsage  = 2 // bad flags, bad input, unreadable files, broken config
	// exitInterrupted is a run stopped by SIGINT or SIGTERM (128+SIGINT,
	// as shells report it): not a verdict either way.
	exitInterrupted = 130
)

// exitError carries an exit code up to run, which prints the message once.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usage marks err as bad input: exit 2.
func usage(err error) error { return &exitError{code: exitUsage, err: err} }

// usagef formats a bad-input error: exit 2.
func usagef(format string, args ...any) error { return usage(fmt.Errorf(format, args...)) }

// failed marks err as a negative verdict: exit 1.
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// interrupted marks a run a signal stopped: exit 130.
func interrupted(err error) error { return &exitError{code: exitInterrupted, err: err} }

// errSilent is an error already reported: run prints nothing for it.
var errSilent = errors.New("")

// silentFailure is a verdict already reported on stdout: exit 1, no message.
var silentFailure = &exitError{code: exitFailed, err: errSilent}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitUsage
}
