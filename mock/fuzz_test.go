package mock

import (
	"testing"

	"github.com/minivoice/mvh/spec"
)

// FuzzParseScenario: a scenario file of any bytes never panics the parser,
// and one it accepts has steps whose offsets never go back in time.
func FuzzParseScenario(f *testing.F) {
	for _, seed := range []string{
		"name: x\nevents:\n  - {event: call.created, after: 0s}\n  - {event: call.completed, after: 5s}\n",
		"name: x\nevents:\n  - {event: call.created, after: 5s}\n  - {event: call.completed, after: 1s}\n",
		"name: x\nevents: []\n", "", "name: [\n", "name: X Y\nevents:\n  - {event: call.created}\n",
		"name: x\ndirection: sideways\nevents:\n  - {event: call.created}\n",
		"name: x\nevents:\n  - {event: call.created, set: {call.status: 1, variables.a: [1, {b: true}]}}\n",
		"name: x\nbogus: 1\nevents:\n  - {event: call.created}\n",
	} {
		f.Add([]byte(seed))
	}
	s, err := spec.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := parseScenario(s, "fuzz.yaml", data)
		if err != nil {
			return
		}
		if len(sc.Steps) == 0 {
			t.Fatalf("accepted a scenario without steps: %q", data)
		}
		for i := 1; i < len(sc.Steps); i++ {
			if sc.Steps[i].After < sc.Steps[i-1].After {
				t.Fatalf("accepted steps that go back in time: %q", data)
			}
		}
	})
}
