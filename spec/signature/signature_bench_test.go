package signature

import (
	"bytes"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Targets (README "Performance"): signing a 1 KiB body ≤ 2 µs/op and
// ≤ 2 allocs/op; verifying against two secrets ≤ 4 µs/op.

func BenchmarkSign1KiB(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	ts := time.Now().Unix()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	cpu := cpuNow()
	for b.Loop() {
		_ = Sign(ts, body, "whsec_minivoice_test")
	}
	b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkVerifyTwoSecrets verifies a 1 KiB body signed with the second
// of two active secrets (a rotation), so both are tried.
func BenchmarkVerifyTwoSecrets(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	header := Sign(now.Unix(), body, "whsec_minivoice_test")
	v := &Verifier{Secrets: []string{"whsec_old_secret_rotating_out", "whsec_minivoice_test"}, Now: func() time.Time { return now }}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	cpu := cpuNow()
	for b.Loop() {
		if err := v.Verify(ts, header, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuNow is the CPU time this process has used, user and system: per op
// it stays meaningful when other work shares the machine's cores, where
// ns/op (wall time) does not. README "Performance" compares cpu-ns/op
// with the targets.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
