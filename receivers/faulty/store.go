package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// racyWindow is the pause between racy-dedupe's check and its insert. It
// stands for real work done between the two (a lookup, a log line, a slow
// disk) and is long enough that parallel duplicates always meet inside it,
// so the defect shows on every run, while sequential redeliveries, which
// come after the first one's answer, never do.
const racyWindow = 100 * time.Millisecond

// errProgressed is reject-out-of-order's refusal of a late call.created.
var errProgressed = errors.New("call already progressed past creation")

// The defects below break the Store step: no-dedupe and dedupe-by-call-id
// by the key the reference's store is unique on (options sets it), the
// others by replacing the step and delegating to the reference's.

// racyDedupeStep over a store without a key: it checks whether the event is
// stored, waits racyWindow, then inserts, with nothing to catch what
// slipped in between.
func (f *faults) racyDedupeStep(s *receiver.Steps) {
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		stored, err := f.store.Has(ctx, env.Call.ID, env.Event)
		if err != nil || stored {
			return false, err
		}
		select {
		case <-time.After(racyWindow):
		case <-ctx.Done():
			return false, ctx.Err()
		}
		return f.ref.Store(ctx, env, body)
	}
}

// firstEvent returns the first event stored of the call, if any.
func (f *faults) firstEvent(callID string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first, seen := f.calls[callID]
	return first, seen
}

// storeNotingFirst stores through the reference and notes the call's first
// event.
func (f *faults) storeNotingFirst(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
	isNew, err := f.ref.Store(ctx, env, body)
	if err == nil {
		f.mu.Lock()
		if _, seen := f.calls[env.Call.ID]; !seen {
			f.calls[env.Call.ID] = env.Event
		}
		f.mu.Unlock()
	}
	return isNew, err
}

// rejectOutOfOrderStep refuses call.created once a later event of the call
// is stored (a redelivery of a stored call.created is still a duplicate);
// the answer step turns the refusal into a 409.
func (f *faults) rejectOutOfOrderStep(s *receiver.Steps) {
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		if first, seen := f.firstEvent(env.Call.ID); env.Event == "call.created" && seen && first != env.Event {
			return false, errProgressed
		}
		return f.storeNotingFirst(ctx, env, body)
	}
	f.answerInstead(s, func(res receiver.Result) bool { return errors.Is(res.Err, errProgressed) },
		http.StatusConflict, errProgressed.Error())
}

// toTheSecond is drop-fractional-time's idea of a timestamp: RFC 3339 in
// UTC to the second, the way every example of the contract is written.
var toTheSecond = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// dropFractionalTimeStep stores an event only when its created_at matches
// toTheSecond, and acknowledges it either way: a validator behind the
// answer that logs and discards a legal date-time it did not expect
// ("2026-05-29T12:00:00.5Z"), so the sender never retries it.
func (f *faults) dropFractionalTimeStep(s *receiver.Steps) {
	s.Store = func(ctx context.Context, env receiver.Envelope, body []byte) (bool, error) {
		var v struct {
			CreatedAt string `json:"created_at"`
		}
		if json.Unmarshal(body, &v) == nil && !toTheSecond.MatchString(v.CreatedAt) {
			f.logger.Warn("created_at not to the second: event dropped", "event_key", env.Key(), "created_at", v.CreatedAt)
			return true, nil
		}
		return f.ref.Store(ctx, env, body)
	}
}
