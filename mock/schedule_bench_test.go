package mock

import (
	"context"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Targets (README "Performance"): with 1,000,000 deliveries pending the
// scheduler holds ≤ 300 B of heap per pending delivery (bodies live in the
// outbox, not the heap) and a schedule plus a pop takes ≤ 1 µs.
const benchPending = 1_000_000

// BenchmarkScheduler1MPending fills the timer heap with a million pending
// attempts (ids as the engine makes them, one endpoint), reports the heap
// they take per pending delivery, then times one push and one pop of the
// earliest entry per op against the full heap.
func BenchmarkScheduler1MPending(b *testing.B) {
	t := newTimers()
	base := time.Now().Add(time.Hour)
	endpoint := endpointOf("http://127.0.0.1:8080/webhooks/minivoice")
	before := heapInUse()
	for i := range benchPending {
		t.push(due{at: base.Add(time.Duration(i*7919%benchPending) * time.Millisecond).UnixNano(), id: newID("dlv"), endpoint: endpoint})
	}
	perPending := float64(heapInUse()-before) / benchPending
	at := base.Add(2 * benchPending * time.Millisecond) // after every entry: each pop takes one
	cpu := cpuNow()
	b.ResetTimer()
	for b.Loop() {
		at = at.Add(time.Millisecond)
		t.push(due{at: at.UnixNano(), id: "dlv_bench", endpoint: endpoint})
		if ready, _, _ := t.popDue(time.Unix(0, t.heap[0].at)); len(ready) == 0 {
			b.Fatal("nothing due at the earliest entry's time")
		}
	}
	b.StopTimer()
	if len(t.heap) != benchPending {
		b.Fatalf("%d pending after the loop, want %d", len(t.heap), benchPending)
	}
	b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(perPending, "heap-B/pending")
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// enqueuers is how many goroutines enqueue at once in the benchmark.
const enqueuers = 16

// Target: ≥ 5,000 durable enqueues/s into a file outbox (WAL) on the
// 2-core reference machine; TestRestartAfterSIGKILL proves they survive.

// BenchmarkOutboxEnqueue enqueues 1 KiB events into a file outbox from
// enqueuers goroutines at once (the control API serves that many
// requests concurrently), each durable (committed) when Enqueue returns.
func BenchmarkOutboxEnqueue(b *testing.B) {
	e, err := Open(context.Background(), engSpec(b), Config{DB: filepath.Join(b.TempDir(), "outbox.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	body := make([]byte, 1024)
	for i := range body {
		body[i] = 'x'
	}
	body[0], body[len(body)-1] = '"', '"'
	s := Send{URL: "http://127.0.0.1:9/webhooks/minivoice", Event: "call.created", Body: body, Delay: time.Hour}
	start, cpu := time.Now(), cpuNow()
	b.SetParallelism(max(1, enqueuers/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Enqueue(context.Background(), s); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "enqueues/s")
	b.ReportMetric(float64(b.N)/(cpuNow()-cpu).Seconds(), "enqueues/cpu-s")
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
