package mock

import (
	"context"
	"fmt"
	"sync"
)

// groupCommit batches the commits of concurrent enqueues into one SQLite
// transaction: most of an enqueue's cost is its commit writing WAL frames
// (BenchmarkOutboxEnqueue), and rows committed together share their pages'
// frames. The first caller to find no batch running leads: it commits what
// is queued, then what queued meanwhile, until the queue is empty; the
// others wait for their batch's outcome. Each caller returns once its rows
// are committed, so an enqueue is as durable as before.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*commitRequest
	leading bool
}

// commitRequest is one caller's rows and where its outcome goes.
type commitRequest struct {
	recs []record
	done chan error
}

// commit inserts recs durably, batched with concurrent callers.
func (g *groupCommit) commit(ctx context.Context, e *Engine, recs []record) error {
	req := &commitRequest{recs: recs, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, req)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.lead(e)
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("enqueue: %w", ctx.Err())
	}
}

// lead commits batches until none is queued.
func (g *groupCommit) lead(e *Engine) {
	for {
		g.mu.Lock()
		batch := g.queue
		g.queue = nil
		if len(batch) == 0 {
			g.leading = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if err := e.insertBatch(batch); err != nil && len(batch) > 1 {
			// one request's rows failed the batch: commit each on its own
			// so the others do not share its error
			for _, r := range batch {
				r.done <- e.insertBatch([]*commitRequest{r})
			}
			continue
		} else if err != nil {
			batch[0].done <- err
			continue
		}
		for _, r := range batch {
			r.done <- nil
		}
	}
}

// insertBatch inserts every request's rows in one transaction. It runs
// apart from any caller's context: a caller that gives up must not roll
// back the rows of the others.
func (e *Engine) insertBatch(batch []*commitRequest) error {
	ctx := context.Background()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	for _, req := range batch {
		for _, r := range req.recs {
			if err := insertRecord(ctx, tx, r); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}
