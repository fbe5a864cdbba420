// Package outcome is the one vocabulary mvh uses to account for many
// deliveries at once (load.burst, the crash checks, `mvh load`, and the
// reports of all of them): what the sender sent and got acknowledged,
// compared with the business records the receiver made.
//
//   - lost: acknowledged with a 2xx and never recorded;
//   - duplicated: recorded more than once;
//   - never accepted: no copy got a 2xx within the limit, retries included
//     (a failure too, reported apart from lost);
//   - unexpected: a record whose key the sender never sent.
//
// A key is acknowledged once any of its copies got a 2xx; a copy refused
// after that does not undo it.
package outcome

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Tally is the accounting of one set of events; every key list is sorted.
type Tally struct {
	// Sent counts distinct keys sent; Acked those of them with a 2xx.
	Sent, Acked int
	// RecordedOnce counts sent keys with exactly one record.
	RecordedOnce int
	// Lost keys were acknowledged and have no record.
	Lost []string `json:",omitempty"`
	// Duplicated keys have more than one record (sent or not).
	Duplicated []string `json:",omitempty"`
	// NeverAccepted keys got no 2xx for any copy.
	NeverAccepted []string `json:",omitempty"`
	// Unexpected keys were recorded but never sent.
	Unexpected []string `json:",omitempty"`
	// Records is each duplicated or unexpected key's record count.
	Records map[string]int `json:",omitempty"`
}

// Count accounts for sent keys (repeats allowed: copies of one event),
// the set of acknowledged keys, and the receiver's record count per key.
// A nil records map means nothing was observed: only the answers count,
// and Lost, Duplicated and Unexpected stay empty.
func Count(sent []string, acked map[string]bool, records map[string]int) Tally {
	distinct := map[string]bool{}
	for _, k := range sent {
		distinct[k] = true
	}
	t := Tally{Sent: len(distinct)}
	for _, k := range slices.Sorted(maps.Keys(distinct)) {
		if !acked[k] {
			t.NeverAccepted = append(t.NeverAccepted, k)
			continue
		}
		t.Acked++
		if records == nil {
			continue
		}
		switch n := records[k]; {
		case n == 0:
			t.Lost = append(t.Lost, k)
		case n == 1:
			t.RecordedOnce++
		default:
			t.Duplicated = append(t.Duplicated, k)
			t.note(k, n)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(records)) {
		n := records[k]
		if distinct[k] || n == 0 {
			if distinct[k] && !acked[k] && n > 1 {
				t.Duplicated = append(t.Duplicated, k)
				t.note(k, n)
			}
			continue
		}
		t.Unexpected = append(t.Unexpected, k)
		t.note(k, n)
		if n > 1 {
			t.Duplicated = append(t.Duplicated, k)
		}
	}
	slices.Sort(t.Duplicated)
	return t
}

func (t *Tally) note(k string, n int) {
	if t.Records == nil {
		t.Records = map[string]int{}
	}
	t.Records[k] = n
}

// OK reports whether every sent key was acknowledged and recorded exactly
// once, and nothing else was recorded.
func (t Tally) OK() bool {
	return len(t.Lost)+len(t.Duplicated)+len(t.NeverAccepted)+len(t.Unexpected) == 0
}

// Merge adds u to t, as when the results of several load hosts meet: the
// counts add up and the key lists join. Keys are assumed disjoint across
// hosts (each host sends its own call IDs).
func (t Tally) Merge(u Tally) Tally {
	out := Tally{Sent: t.Sent + u.Sent, Acked: t.Acked + u.Acked, RecordedOnce: t.RecordedOnce + u.RecordedOnce,
		Lost:          join(t.Lost, u.Lost),
		Duplicated:    join(t.Duplicated, u.Duplicated),
		NeverAccepted: join(t.NeverAccepted, u.NeverAccepted),
		Unexpected:    join(t.Unexpected, u.Unexpected),
	}
	for _, m := range []map[string]int{t.Records, u.Records} {
		for k, n := range m {
			out.note(k, out.Records[k]+n)
		}
	}
	return out
}

func join(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(append(slices.Clone(a), b...)))
}

// String is the accounting in one line, in the outcome words.
func (t Tally) String() string {
	return fmt.Sprintf("%d sent, %d acked, %d recorded exactly once, %d lost, %d duplicated, %d never accepted, %d unexpected",
		t.Sent, t.Acked, t.RecordedOnce, len(t.Lost), len(t.Duplicated), len(t.NeverAccepted), len(t.Unexpected))
}

// Problems lists what is wrong, one line per outcome word, each naming up
// to limit keys (the rest counted): the lines a failed check reports.
func (t Tally) Problems(limit int) []string {
	var out []string
	for _, p := range []struct {
		word string
		keys []string
	}{{"lost (acked, never recorded)", t.Lost}, {"duplicated", t.Duplicated},
		{"never accepted", t.NeverAccepted}, {"unexpected", t.Unexpected}} {
		if len(p.keys) > 0 {
			out = append(out, fmt.Sprintf("%d %s: %s", len(p.keys), p.word, names(p.keys, limit)))
		}
	}
	return out
}

func names(keys []string, limit int) string {
	if limit <= 0 || len(keys) <= limit {
		return strings.Join(keys, ", ")
	}
	return strings.Join(keys[:limit], ", ") + fmt.Sprintf(" and %d more", len(keys)-limit)
}
