package outcome_test

import (
	"fmt"

	"github.com/minivoice/mvh/outcome"
)

// A burst sent two events, one of them twice; both were acknowledged, but
// the receiver recorded only one of them.
func ExampleCount() {
	sent := []string{"call_1:call.created", "call_1:call.completed", "call_1:call.created"}
	acked := map[string]bool{"call_1:call.created": true, "call_1:call.completed": true}
	records := map[string]int{"call_1:call.created": 1}
	t := outcome.Count(sent, acked, records)
	fmt.Println(t)
	fmt.Println(t.Problems(5))
	// Output:
	// 2 sent, 2 acked, 1 recorded exactly once, 1 lost, 0 duplicated, 0 never accepted, 0 unexpected
	// [1 lost (acked, never recorded): call_1:call.completed]
}
