// Package bench holds the benchmarks of mvh that need more than its own
// module: mvh load side by side with vegeta (used as a library, so it is
// a dependency of this module only, never of the mvh binary), the RSS of
// `mvh mock serve` holding 100,000 pending deliveries, and the whole
// catalogue's wall time against its checks' own durations. `make bench`
// runs them with the packages' microbenchmarks and prints every figure
// next to its target (cmd/benchtable).
package bench
