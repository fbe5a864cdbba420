// Command mvh is the MiniVoice webhook harness: the contract, a mock sender,
// conformance suites, fixtures and reports for webhook receivers. main only
// wires flags to packages; every job lives in a package of its own.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
