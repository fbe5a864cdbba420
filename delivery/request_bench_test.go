package delivery

import (
	"context"
	"testing"
	"time"
)

// BenchmarkNewRequest builds one signed delivery the way mvh load and the
// mock engine do, for every attempt: the per-request cost of the sender
// that is not HTTP itself.
func BenchmarkNewRequest(b *testing.B) {
	body := []byte(`{"event":"call.created","created_at":"2026-05-29T12:00:00Z","call":{"id":"call_bench_1"},"variables":{},"data":{}}`)
	ctx, now := context.Background(), time.Unix(1780056000, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewRequest(ctx, "http://127.0.0.1:8080/webhooks/minivoice", "call.created", body, now, "whsec_minivoice_test"); err != nil {
			b.Fatal(err)
		}
	}
}
