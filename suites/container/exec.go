package container

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/testcontainers/testcontainers-go/exec"
)

// execLimit bounds what one exec may print.
const execLimit = 64 << 20

// ExecOutput runs argv inside the running container, exec form (a FROM
// scratch image has no shell), and returns its output; a non-zero exit is
// an error quoting the output's last line. It is how --inspect-exec reads
// records with a program that ships in the receiver's image.
func (c *Container) ExecOutput(ctx context.Context, argv []string) ([]byte, error) {
	if c == nil || c.DockerContainer == nil {
		return nil, fmt.Errorf("exec %s: no container", strings.Join(argv, " "))
	}
	code, r, err := c.Exec(ctx, argv, exec.Multiplexed())
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", strings.Join(argv, " "), err)
	}
	out, err := io.ReadAll(io.LimitReader(r, execLimit))
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", strings.Join(argv, " "), err)
	}
	if code != 0 {
		return nil, fmt.Errorf("exec %s: exit %d: %s", strings.Join(argv, " "), code, lastLines(out, 1))
	}
	return out, nil
}
