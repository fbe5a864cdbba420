package mock

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// record is a delivery with what the engine needs to attempt it but does not
// show: secrets, schedule, chaos counters and the schedule-time origin.
type record struct {
	Delivery
	secrets  []string
	schedule []time.Duration
	lostAck  int
	afterID  string    // a sequential duplicate waits for this delivery to finish
	slot     int       // index into schedule of the next attempt
	origin   time.Time // schedule time the offsets count from
}

const recordColumns = `id, application_id, url, event, call_id, body, secrets, schedule, lost_ack,
	chaos_log, resend_of, after_id, status, attempts, slot, created_at, origin, next_attempt_at`

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func insertRecord(ctx context.Context, q querier, r record) error {
	_, err := q.ExecContext(ctx, `INSERT INTO deliveries (`+recordColumns+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, r.ApplicationID, r.URL, r.Event, r.CallID, r.Body, jsonText(r.secrets),
		jsonText(r.schedule), r.lostAck, jsonText(r.Chaos), r.ResendOf, r.afterID,
		r.Status, r.Attempts, r.slot, nanos(r.CreatedAt), nanos(r.origin), nanos(r.NextAttemptAt))
	if err != nil {
		return fmt.Errorf("insert delivery %s: %w", r.ID, err)
	}
	return nil
}

// updateRecord saves the mutable state of a delivery after an attempt or a
// release.
func updateRecord(ctx context.Context, q querier, r record) error {
	_, err := q.ExecContext(ctx, `UPDATE deliveries SET status=?, attempts=?, slot=?, origin=?,
		next_attempt_at=?, chaos_log=? WHERE id=?`,
		r.Status, r.Attempts, r.slot, nanos(r.origin), nanos(r.NextAttemptAt), jsonText(r.Chaos), r.ID)
	if err != nil {
		return fmt.Errorf("update delivery %s: %w", r.ID, err)
	}
	return nil
}

func loadRecord(ctx context.Context, q querier, id string) (record, error) {
	rs, err := queryRecords(ctx, q, `WHERE id=?`, id)
	if err != nil {
		return record{}, err
	}
	if len(rs) == 0 {
		return record{}, fmt.Errorf("delivery %s: %w", id, ErrNotFound)
	}
	return rs[0], nil
}

func queryRecords(ctx context.Context, q querier, where string, args ...any) ([]record, error) {
	return queryAll(ctx, q, "deliveries", `SELECT `+recordColumns+` FROM deliveries `+where, scanRecord, args...)
}

// queryAll runs a SELECT and scans every row with scan; what names the rows
// in errors.
func queryAll[T any](ctx context.Context, q querier, what, query string, scan func(*sql.Rows) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query %s: %w", what, err)
	}
	return out, nil
}

func scanRecord(rows *sql.Rows) (record, error) {
	var r record
	var secrets, schedule, chaos string
	var created, origin, next int64
	err := rows.Scan(&r.ID, &r.ApplicationID, &r.URL, &r.Event, &r.CallID, &r.Body, &secrets,
		&schedule, &r.lostAck, &chaos, &r.ResendOf, &r.afterID, &r.Status, &r.Attempts, &r.slot,
		&created, &origin, &next)
	if err != nil {
		return record{}, fmt.Errorf("scan delivery: %w", err)
	}
	if err := errors.Join(json.Unmarshal([]byte(secrets), &r.secrets),
		json.Unmarshal([]byte(schedule), &r.schedule), json.Unmarshal([]byte(chaos), &r.Chaos)); err != nil {
		return record{}, fmt.Errorf("delivery %s: %w: %v", r.ID, ErrCorrupt, err)
	}
	r.CreatedAt, r.origin, r.NextAttemptAt = fromNanos(created), fromNanos(origin), fromNanos(next)
	return r, nil
}

// filterClause turns a Filter into a WHERE clause in insertion order (or
// its reverse).
func filterClause(f Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			conds = append(conds, col+"=?")
			args = append(args, v)
		}
	}
	add("call_id", f.CallID)
	add("status", f.Status)
	add("application_id", f.ApplicationID)
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	where += " ORDER BY rowid"
	if f.NewestFirst {
		where += " DESC"
	}
	if f.Limit > 0 {
		where += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return where, args
}

func insertAttempt(ctx context.Context, q querier, a Attempt) error {
	var next any
	if a.NextRetryAt != nil {
		next = nanos(*a.NextRetryAt)
	}
	_, err := q.ExecContext(ctx, `INSERT OR REPLACE INTO attempts (delivery_id, n, scheduled_at, started_at,
		latency, status, error_class, error, response_headers, response_body, next_retry_at,
		sent_at, request_headers)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.DeliveryID, a.N, nanos(a.ScheduledAt), nanos(a.StartedAt), int64(a.Latency), a.Status,
		a.ErrorClass, a.Error, jsonText(a.ResponseHeaders), a.ResponseBody, next,
		nanos(a.SentAt), jsonText(a.RequestHeaders))
	if err != nil {
		return fmt.Errorf("insert attempt %d of %s: %w", a.N, a.DeliveryID, err)
	}
	return nil
}

func queryAttempts(ctx context.Context, q querier, id string) ([]Attempt, error) {
	return queryAll(ctx, q, "attempts of "+id, `SELECT delivery_id, n, scheduled_at, started_at, latency,
		status, error_class, error, response_headers, response_body, next_retry_at, sent_at, request_headers
		FROM attempts WHERE delivery_id=? ORDER BY n`, scanAttempt, id)
}

func scanAttempt(rows *sql.Rows) (Attempt, error) {
	var a Attempt
	var sched, started, latency, sent int64
	var headers, reqHeaders string
	var next sql.NullInt64
	if err := rows.Scan(&a.DeliveryID, &a.N, &sched, &started, &latency, &a.Status, &a.ErrorClass, &a.Error,
		&headers, &a.ResponseBody, &next, &sent, &reqHeaders); err != nil {
		return Attempt{}, fmt.Errorf("scan attempt: %w", err)
	}
	a.ScheduledAt, a.StartedAt, a.Latency = fromNanos(sched), fromNanos(started), time.Duration(latency)
	if sent != 0 { // recorded before sent_at existed: both clocks were one
		a.SentAt = fromNanos(sent)
	}
	_ = json.Unmarshal([]byte(headers), &a.ResponseHeaders)
	_ = json.Unmarshal([]byte(reqHeaders), &a.RequestHeaders)
	if next.Valid {
		t := fromNanos(next.Int64)
		a.NextRetryAt = &t
	}
	return a, nil
}

// jsonText stores small structured columns as JSON text; the values are our
// own types, so marshalling cannot fail.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
