package sqlobserve_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minivoice/mvh/suites/observe/sqlobserve"
)

// ExampleOpen counts a receiver's records in its own SQLite file, the way
// `mvh conform --inspect-sql sqlite:PATH --inspect-query ...` does: one
// row per business record, its key in column key.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "receiver-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.db")
	db, _ := sql.Open("sqlite", path) // the receiver's own writes
	_, _ = db.Exec(`CREATE TABLE events (call_id TEXT, event TEXT);
		INSERT INTO events VALUES ('call_123', 'call.created'), ('call_123', 'call.completed')`)
	db.Close()

	o, err := sqlobserve.Open("sqlite:"+path, `SELECT call_id || ':' || event AS key FROM events`, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer o.Close()
	counts, err := o.Counts(context.Background())
	fmt.Println(counts["call_123:call.created"], counts["call_123:call.completed"], err)
	// Output: 1 1 <nil>
}
