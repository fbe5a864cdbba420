package observe_test

import (
	"context"
	"fmt"

	"github.com/minivoice/mvh/suites/observe"
)

// ExampleCommand observes a store the harness has no driver for through
// a command that prints its records, as --inspect-cmd does: here bare keys,
// one a line, a duplicate among them.
func ExampleCommand() {
	o := observe.Command{Name: "printf", Run: observe.Shell(`printf 'call_1:call.created\ncall_1:call.created\n'`)}
	counts, err := o.Counts(context.Background())
	fmt.Println(counts["call_1:call.created"], err)
	// Output: 2 <nil>
}
