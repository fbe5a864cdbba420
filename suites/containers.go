package suites

import (
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
