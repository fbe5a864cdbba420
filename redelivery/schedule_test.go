package redelivery_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/minivoice/mvh/redelivery"
	"github.com/minivoice/mvh/spec"
)

func TestCompress(t *testing.T) {
	contract := spec.RetryPolicy{Schedule: []time.Duration{0, 5 * time.Second, 30 * time.Second, 3 * time.Hour}, Jitter: 0.1}
	p := redelivery.Compress(contract, 36*time.Second, 20)
	want := []time.Duration{0, 16666666 * time.Nanosecond, 100 * time.Millisecond, 36 * time.Second}
	if len(p.Schedule) != len(want) || p.InFlight != 20 || p.Jitter != 0.1 || p.MaxWait != redelivery.DefaultMaxWait {
		t.Fatalf("Compress = %+v", p)
	}
	for i, d := range want {
		if diff := p.Schedule[i] - d; diff < -time.Microsecond || diff > time.Microsecond {
			t.Errorf("offset %d = %s, want %s", i, p.Schedule[i], d)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := redelivery.RetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestShed(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		want       bool
	}{
		{429, "", true}, {429, "1", true}, {503, "1", true}, {503, "", false}, {500, "1", false}, {409, "", false}, {200, "", false},
	}
	for _, tt := range tests {
		if got := redelivery.Shed(tt.status, tt.retryAfter); got != tt.want {
			t.Errorf("Shed(%d, %q) = %v, want %v", tt.status, tt.retryAfter, got, tt.want)
		}
	}
}
