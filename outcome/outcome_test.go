package outcome

import (
	"slices"
	"testing"
)

func TestCount(t *testing.T) {
	tests := []struct {
		name    string
		sent    []string
		acked   []string
		records map[string]int
		want    Tally
	}{
		{"all once", []string{"a", "b", "a"}, []string{"a", "b"}, map[string]int{"a": 1, "b": 1},
			Tally{Sent: 2, Acked: 2, RecordedOnce: 2}},
		{"lost", []string{"a", "b"}, []string{"a", "b"}, map[string]int{"a": 1},
			Tally{Sent: 2, Acked: 2, RecordedOnce: 1, Lost: []string{"b"}}},
		{"duplicated", []string{"a"}, []string{"a"}, map[string]int{"a": 3},
			Tally{Sent: 1, Acked: 1, Duplicated: []string{"a"}, Records: map[string]int{"a": 3}}},
		{"never accepted, recorded once is not lost", []string{"a"}, nil, map[string]int{"a": 1},
			Tally{Sent: 1, NeverAccepted: []string{"a"}}},
		{"never accepted, recorded twice is duplicated", []string{"a"}, nil, map[string]int{"a": 2},
			Tally{Sent: 1, NeverAccepted: []string{"a"}, Duplicated: []string{"a"}, Records: map[string]int{"a": 2}}},
		{"unexpected", []string{"a"}, []string{"a"}, map[string]int{"a": 1, "z": 1},
			Tally{Sent: 1, Acked: 1, RecordedOnce: 1, Unexpected: []string{"z"}, Records: map[string]int{"z": 1}}},
		{"not observed", []string{"a", "b"}, []string{"a"}, nil,
			Tally{Sent: 2, Acked: 1, NeverAccepted: []string{"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acked := map[string]bool{}
			for _, k := range tt.acked {
				acked[k] = true
			}
			got := Count(tt.sent, acked, tt.records)
			if got.String() != tt.want.String() || !slices.Equal(got.Lost, tt.want.Lost) ||
				!slices.Equal(got.Duplicated, tt.want.Duplicated) || !slices.Equal(got.NeverAccepted, tt.want.NeverAccepted) ||
				!slices.Equal(got.Unexpected, tt.want.Unexpected) || len(got.Records) != len(tt.want.Records) {
				t.Fatalf("Count = %+v, want %+v", got, tt.want)
			}
			if got.OK() != (tt.want.String() == Tally{Sent: tt.want.Sent, Acked: tt.want.Acked, RecordedOnce: tt.want.RecordedOnce}.String()) {
				t.Fatalf("OK() = %v for %+v", got.OK(), got)
			}
		})
	}
}

func TestMergeAddsUp(t *testing.T) {
	a := Count([]string{"a1", "a2"}, map[string]bool{"a1": true, "a2": true}, map[string]int{"a1": 1})
	b := Count([]string{"b1"}, map[string]bool{"b1": true}, map[string]int{"b1": 2})
	m := a.Merge(b)
	if m.Sent != 3 || m.Acked != 3 || m.RecordedOnce != 1 || !slices.Equal(m.Lost, []string{"a2"}) ||
		!slices.Equal(m.Duplicated, []string{"b1"}) || m.Records["b1"] != 2 {
		t.Fatalf("Merge = %+v", m)
	}
}

func TestProblemsNamesKeys(t *testing.T) {
	tl := Count([]string{"a", "b", "c"}, map[string]bool{"a": true, "b": true, "c": true}, map[string]int{})
	got := tl.Problems(2)
	if len(got) != 1 || got[0] != "3 lost (acked, never recorded): a, b and 1 more" {
		t.Fatalf("Problems = %q", got)
	}
}
