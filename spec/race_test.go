//go:build race

package spec

// raceEnabled: the race detector slows generation and validation about
// tenfold, so TestGeneratedValidate checks fewer seeds under it; make test
// also runs the full count without it.
const raceEnabled = true
