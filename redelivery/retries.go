package redelivery

import (
	"slices"
	"time"
)

// retry is one shed delivery waiting for its next attempt.
type retry struct {
	at time.Time
	i  int
}

// retries are the waiting retries. A plain slice: there are at most as
// many as deliveries, and finding the earliest is cheap next to an HTTP
// exchange.
type retries []retry

func (q retries) Len() int { return len(q) }

func (q *retries) push(r retry) { *q = append(*q, r) }

// earliest returns the index of the retry due first; q is not empty.
func (q retries) earliest() int {
	first := 0
	for i, r := range q {
		if r.at.Before(q[first].at) {
			first = i
		}
	}
	return first
}

func (q retries) peek() retry { return q[q.earliest()] }

func (q *retries) pop() retry {
	i := q.earliest()
	r := (*q)[i]
	*q = slices.Delete(*q, i, i+1)
	return r
}
