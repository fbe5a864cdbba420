//go:build !race

package spec

// raceEnabled: see race_test.go.
const raceEnabled = false
