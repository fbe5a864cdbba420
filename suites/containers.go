package suites

import (
	"context"
	"log/slog"

	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/target"
)

// containerTarget is the default framework.ContainerFactory: --image and
// --dockerfile run the receiver with testcontainers (package
// suites/container).
func containerTarget(s framework.ContainerSpec) target.Target {
	return container.NewTarget(container.Options{
		Image: s.Image, Dockerfile: s.Dockerfile, Port: s.Port, Env: s.Env,
		Path: s.Path, ReadyTimeout: s.ReadyTimeout, Logger: s.Logger,
	})
}

// Setup starts the sink, the receiver and its observer the way Run does,
// for commands that drive a receiver without the checks (mvh load).
func Setup(ctx context.Context, cfg framework.Config, log *slog.Logger) (*framework.Env, error) {
	env, err := framework.Setup(ctx, cfg, containerTarget, log)
	if err != nil {
		return nil, err
	}
	if err := env.Observe(cfg.Observation, openSQL); err != nil {
		_ = env.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return env, nil
}
