package catalogue

import (
	"fmt"
	"strings"
)

// AssumptionFailed starts the skip reason of a check whose assumption
// failed; the verdict line groups skips by it.
const AssumptionFailed = "assumption failed"

// IsAssumptionSkip reports whether a skip reason is Assumption's.
func IsAssumptionSkip(reason string) bool { return strings.HasPrefix(reason, AssumptionFailed+": ") }

// Assumption returns the skip reason of ch when a check it assumes has
// failed in this run (failed reports whether a check ID failed), or "" when
// ch should run. A check whose assumptions were not run (left out by
// --only) runs and judges on its own.
func (ch Check) Assumption(failed func(id string) bool) string {
	var broken []string
	for _, id := range ch.Assumes {
		if failed(id) {
			broken = append(broken, id)
		}
	}
	if len(broken) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %s failed in this run (fix that first, or judge this check on its own with --only %s)",
		AssumptionFailed, strings.Join(broken, ", "), ch.ID)
}
