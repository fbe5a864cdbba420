package outcome

import "time"

// QuietWindow is how long mvh keeps watching after every expected record
// arrived, so that a late duplicate is still counted: a tenth of settle
// (the stall after which records are no longer awaited), at least 200 ms,
// starting again with every new record. Callers first wait for the
// records (or a marker sent after them), so the window only has to cover
// records forwarded out of order.
func QuietWindow(settle time.Duration) time.Duration {
	return max(settle/10, 200*time.Millisecond)
}
