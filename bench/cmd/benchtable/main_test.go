package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	in := `goos: linux
BenchmarkSign1KiB-2   	  500000	      3000 ns/op	 300 MB/s	      1500 cpu-ns/op	    1232 B/op	       2 allocs/op
BenchmarkSign1KiB-2   	  500000	      3100 ns/op	 300 MB/s	      2500 cpu-ns/op	    1232 B/op	       2 allocs/op
BenchmarkSign1KiB-2   	  500000	      2900 ns/op	 300 MB/s	      1900 cpu-ns/op	    1232 B/op	       3 allocs/op
BenchmarkLoadVsVegeta-2   	       1	12121717136 ns/op	       0.85 mvh/vegeta
`
	var out bytes.Buffer
	values, err := read(strings.NewReader(in), &out)
	if err != nil || out.String() != in {
		t.Fatalf("read: %v; the input must pass through unchanged", err)
	}
	ts := []target{
		{"sign cpu", "BenchmarkSign1KiB", "cpu-ns/op", "<=", 2000},
		{"sign allocs", "BenchmarkSign1KiB", "allocs/op", "<=", 2},
		{"vs vegeta", "BenchmarkLoadVsVegeta", "mvh/vegeta", ">=", 0.9},
		{"rss", "BenchmarkMockServe100kPending", "rss-MiB", "<=", 150},
	}
	var tab bytes.Buffer
	if missing := table(&tab, ts, values); missing != 1 {
		t.Errorf("%d missing, want 1 (rss)", missing)
	}
	for _, want := range []string{
		"sign cpu", "1900", "<= 2000", // the median of three runs
	} {
		if !strings.Contains(tab.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tab.String())
		}
	}
	lines := strings.Split(tab.String(), "\n")
	for _, tc := range []struct{ label, verdict string }{
		{"sign cpu", "ok"}, {"sign allocs", "ok"}, {"vs vegeta", "MISSED"}, {"rss", "MISSING"},
	} {
		for _, l := range lines {
			if strings.HasPrefix(l, tc.label) && !strings.HasSuffix(strings.TrimSpace(l), tc.verdict) {
				t.Errorf("%q: want %s", l, tc.verdict)
			}
		}
	}
}
