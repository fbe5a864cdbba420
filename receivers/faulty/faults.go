package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// faults is what the defects' replacement steps share: the reference's own
// steps (each replacement delegates to them for everything it does not
// break), its store, and the logger.
type faults struct {
	defect  string
	ctx     context.Context // ends when the receiver stops forwarding
	ref     receiver.Steps
	logger  *slog.Logger
	exit    func(int) // os.Exit, for crash-on-oversized
	secrets []string
	store   receiver.Store

	mu    sync.Mutex
	calls map[string]string // call.id -> first event stored (reject-out-of-order)
}

func newFaults(ctx context.Context, st receiver.Store, ref receiver.Steps, cfg Config, logger *slog.Logger, exit func(int)) *faults {
	return &faults{
		defect:  cfg.Defect,
		store:   st,
		secrets: cfg.Secrets,
		ctx:     ctx,
		ref:     ref,
		logger:  logger,
		exit:    exit,
		calls:   map[string]string{},
	}
}
