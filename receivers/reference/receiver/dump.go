package receiver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// dumpRecords prints every stored event as one JSON object a line, keyed
// like the records it forwards ({"event_key": "call_123:call.created",
// ...}), and returns. It is how a harness reads the store of a receiver
// whose image has no shell and no database client: `mvh conform
// --inspect-exec '/reference --dump-records --db /state/events.db'`.
func dumpRecords(ctx context.Context, db string, out io.Writer) error {
	st, err := openStore(ctx, db, false, "")
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.db.QueryContext(ctx, `SELECT call_id, event FROM events ORDER BY received_at, call_id, event`)
	if err != nil {
		return fmt.Errorf("dump records: %w", err)
	}
	defer rows.Close()
	enc := json.NewEncoder(out)
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.CallID, &r.Event); err != nil {
			return fmt.Errorf("dump records: %w", err)
		}
		r.EventKey = r.CallID + ":" + r.Event
		if err := enc.Encode(struct {
			EventKey string `json:"event_key"`
			CallID   string `json:"call_id"`
			Event    string `json:"event"`
		}{r.EventKey, r.CallID, r.Event}); err != nil {
			return fmt.Errorf("dump records: %w", err)
		}
	}
	return rows.Err()
}
