package harness

import (
	"context"
	"log/slog"

	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/target"
)

// ContainerTarget is the default ContainerFactory of suites.Run: --image and
// --dockerfile run the receiver with testcontainers (package
// suites/container).
func ContainerTarget(s ContainerSpec) target.Target {
	return container.NewTarget(container.Options{
		Image: s.Image, Dockerfile: s.Dockerfile, Port: s.Port, Env: s.Env,
		Path: s.Path, ReadyTimeout: s.ReadyTimeout, Logger: s.Logger,
	})
}

// Start starts the sink, the receiver and its observer (with openSQL for
// --inspect-sql); on error nothing is left running. suites.Run does this
// before the checks.
func Start(ctx context.Context, cfg Config, containers ContainerFactory, openSQL SQLOpener, log *slog.Logger) (*Env, error) {
	env, err := Setup(ctx, cfg, containers, log)
	if err != nil {
		return nil, err
	}
	if err := env.Observe(ctx, cfg.Observation, openSQL); err != nil {
		_ = env.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return env, nil
}

// Open is Start with the default container factory and SQL opener, for
// commands that drive a receiver without the checks (mvh load).
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Env, error) {
	return Start(ctx, cfg, ContainerTarget, OpenSQL, log)
}
