package framework

import (
	"testing"
	"time"
)

func TestAckTimesMedian(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name   string
		adds   []time.Duration
		want   time.Duration
		wantOK bool
	}{
		{"too few to tell", []time.Duration{ms(5), ms(5000)}, 0, false},
		{"median of eight", []time.Duration{ms(1), ms(2), ms(3), ms(4), ms(5), ms(6), ms(7), ms(8)}, ms(5), true},
		{"only the latest window counts", append(repeat(ms(1), 100), repeat(ms(1500), ackWindow)...), ms(1500), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a ackTimes
			for _, d := range tt.adds {
				a.add(d)
			}
			got, ok := a.median()
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("median = %s, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestSlackScalesWithAckBudget(t *testing.T) {
	for _, tt := range []struct {
		budget, want time.Duration
	}{{time.Second, time.Minute}, {500 * time.Millisecond, time.Minute}, {3 * time.Second, 3 * time.Minute}} {
		f := &Framework{Config: Config{AckBudget: tt.budget}}
		if got := f.slack(); got != tt.want {
			t.Errorf("slack at --ack-budget %s = %s, want %s", tt.budget, got, tt.want)
		}
	}
}
