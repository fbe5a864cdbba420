package suites

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/ack"
	"github.com/minivoice/mvh/suites/catalogue"
	"github.com/minivoice/mvh/suites/downstream"
	"github.com/minivoice/mvh/suites/durability"
	"github.com/minivoice/mvh/suites/framework"
	"github.com/minivoice/mvh/suites/idempotency"
	"github.com/minivoice/mvh/suites/input"
	"github.com/minivoice/mvh/suites/load"
	"github.com/minivoice/mvh/suites/ordering"
	"github.com/minivoice/mvh/suites/resilience"
	"github.com/minivoice/mvh/suites/signature"
)

// Description is the suite's name in Ginkgo and JUnit reports.
const Description = "MiniVoice receiver conformance"

// areas register their checks in run order. The container is Ordered so
// the order holds (resilience last), and ContinueOnFailure so a failed
// check does not skip the ones after it.
var areas = []func(*framework.Framework){
	ack.Specs,
	signature.Specs,
	input.Specs,
	idempotency.Specs,
	ordering.Specs,
	load.Specs,
	downstream.Specs,
	durability.Specs,
	resilience.Specs,
}

// register declares the whole spec tree for one run; f carries the run's
// configuration into every check. onSpec sees each check as it ends and
// onSuite the final report.
func register(f *framework.Framework, onStart func(string), onSpec func(types.SpecReport), onSuite func(types.Report)) {
	ginkgo.Describe(Description, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		for _, specs := range areas {
			specs(f)
		}
	})
	ginkgo.ReportAfterEach(f.Ended) // before onSpec's, so a check's end is noted first
	if onStart != nil {
		ginkgo.ReportBeforeEach(func(sr types.SpecReport) {
			if catalogue.IsCheck(sr) && sr.State == types.SpecStateInvalid { // about to run, not filtered out
				onStart(sr.LeafNodeText)
			}
		})
	}
	if onSpec != nil {
		ginkgo.ReportAfterEach(func(sr types.SpecReport) {
			if catalogue.IsCheck(sr) && catalogue.StatusOf(sr) != catalogue.NotRun {
				onSpec(sr)
			}
		})
	}
	ginkgo.ReportAfterSuite(Description, onSuite)
}
