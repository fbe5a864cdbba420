// Command benchtable reads `go test -bench` output on stdin, passes it
// through unchanged (so the file stays benchstat input), and then prints
// one table: every figure issue 15 (and issue 12, for the catalogue) sets
// a target for, measured, next to its target. Where a benchmark ran
// several times (-count) the median counts. It exits 1 when a figure is
// missing, so a broken benchmark cannot pass as a met target; a missed
// target is printed as MISSED.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// target is one figure: the metric (unit) of a benchmark, and the bound
// it must stay within; op "" only reports.
type target struct {
	label, bench, unit, op string
	bound                  float64
}

func targets() []target {
	return []target{
		{"sign 1 KiB, CPU per op", "BenchmarkSign1KiB", "cpu-ns/op", "<=", 2000},
		{"sign 1 KiB, wall per op (shared cores)", "BenchmarkSign1KiB", "ns/op", "", 0},
		{"sign 1 KiB, allocations", "BenchmarkSign1KiB", "allocs/op", "<=", 2},
		{"verify with two secrets, CPU per op", "BenchmarkVerifyTwoSecrets", "cpu-ns/op", "<=", 4000},
		{"verify with two secrets, wall per op", "BenchmarkVerifyTwoSecrets", "ns/op", "", 0},
		{"scheduler, 1M pending: heap per pending", "BenchmarkScheduler1MPending", "heap-B/pending", "<=", 300},
		{"scheduler, 1M pending: CPU per push+pop", "BenchmarkScheduler1MPending", "cpu-ns/op", "<=", 1000},
		{"scheduler, 1M pending: wall per push+pop", "BenchmarkScheduler1MPending", "ns/op", "", 0},
		{"outbox: durable enqueues per second (WAL)", "BenchmarkOutboxEnqueue", "enqueues/s", ">=", 5000},
		{"outbox: enqueues per CPU second", "BenchmarkOutboxEnqueue", "enqueues/cpu-s", "", 0},
		{"mvh load --rate max vs vegeta (throughput)", "BenchmarkLoadVsVegeta", "mvh/vegeta", ">=", 0.9},
		{"  mvh load, requests/s", "BenchmarkLoadVsVegeta", "mvh-req/s", "", 0},
		{"  vegeta, requests/s", "BenchmarkLoadVsVegeta", "vegeta-req/s", "", 0},
		{"mvh mock serve, 100k pending: RSS MiB", "BenchmarkMockServe100kPending", "rss-MiB", "<=", 150},
		{"mvh mock serve, 100k pending: peak RSS MiB", "BenchmarkMockServe100kPending", "peak-rss-MiB", "", 0},
		{"build one signed delivery request, wall per op", "BenchmarkNewRequest", "ns/op", "", 0},
		{"build one signed delivery request, allocations", "BenchmarkNewRequest", "allocs/op", "", 0},
		{"catalogue vs reference: wall seconds", "BenchmarkCatalogue", "wall-s", "<=", 30},
		{"catalogue vs reference: sum of check seconds", "BenchmarkCatalogue", "checks-s", "", 0},
	}
}

func main() {
	values, err := read(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchtable: %v\n", err)
		os.Exit(2)
	}
	if missing := table(os.Stdout, targets(), values); missing > 0 {
		os.Exit(1)
	}
}

// read copies in to out and collects every benchmark's metrics.
func read(in io.Reader, out io.Writer) (map[string][]float64, error) {
	values := map[string][]float64{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(out, line)
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				values[name+" "+f[i+1]] = append(values[name+" "+f[i+1]], v)
			}
		}
	}
	return values, sc.Err()
}

// table prints the figures and returns how many are missing.
func table(w io.Writer, ts []target, values map[string][]float64) int {
	missing := 0
	fmt.Fprintf(w, "\n%-46s %14s %-16s %14s  %s\n", "FIGURE", "MEASURED", "UNIT", "TARGET", "")
	for _, t := range ts {
		vs := values[t.bench+" "+t.unit]
		if len(vs) == 0 {
			missing++
			fmt.Fprintf(w, "%-46s %14s %-16s %14s  %s\n", t.label, "-", t.unit, bound(t), "MISSING")
			continue
		}
		v := median(vs)
		fmt.Fprintf(w, "%-46s %14s %-16s %14s  %s\n", t.label, strconv.FormatFloat(v, 'g', 4, 64), t.unit, bound(t), verdict(t, v))
	}
	return missing
}

func bound(t target) string {
	if t.op == "" {
		return "(reported)"
	}
	return t.op + " " + strconv.FormatFloat(t.bound, 'g', -1, 64)
}

func verdict(t target, v float64) string {
	switch {
	case t.op == "":
		return ""
	case t.op == "<=" && v <= t.bound, t.op == ">=" && v >= t.bound:
		return "ok"
	}
	return "MISSED"
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	return s[len(s)/2]
}
