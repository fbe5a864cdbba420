package mock

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/minivoice/mvh/delivery"
)

const appColumns = `id, name, webhook_url, secrets, schedule, chaos, created_at`

// CreateApplication stores an application with a fresh ID (app_<hex>) and
// creation time; its URL, schedule and chaos are checked like a send's.
func (e *Engine) CreateApplication(ctx context.Context, app Application) (Application, error) {
	if err := e.checkApplication(app); err != nil {
		return Application{}, err
	}
	app.ID = newID("app")
	app.CreatedAt = time.Now().UTC()
	_, err := e.db.ExecContext(ctx, `INSERT INTO applications (`+appColumns+`) VALUES (?,?,?,?,?,?,?)`,
		app.ID, app.Name, app.WebhookURL, jsonText(app.Secrets), jsonText(app.Schedule),
		jsonText(app.Chaos), nanos(app.CreatedAt))
	if err != nil {
		return Application{}, fmt.Errorf("create application: %w", err)
	}
	return app, nil
}

// checkApplication checks an application's URL, schedule and chaos like a
// send's.
func (e *Engine) checkApplication(app Application) error {
	if err := delivery.CheckURL(app.WebhookURL); err != nil {
		return fmt.Errorf("webhook_url: %w: %v", ErrInvalid, err)
	}
	if len(app.Schedule) > 0 {
		if _, err := e.checkSchedule(app.Schedule); err != nil {
			return err
		}
	}
	return checkChaos(app.Chaos)
}

// UpdateApplication replaces the settings of application app.ID (name,
// URL, secrets, schedule, chaos), keeping its ID and creation time, checked
// like CreateApplication's. Deliveries already made keep the settings they
// were made with; the next call or event uses the new ones.
func (e *Engine) UpdateApplication(ctx context.Context, app Application) (Application, error) {
	old, err := e.Application(ctx, app.ID)
	if err != nil {
		return Application{}, err
	}
	if err := e.checkApplication(app); err != nil {
		return Application{}, err
	}
	app.CreatedAt = old.CreatedAt
	_, err = e.db.ExecContext(ctx, `UPDATE applications SET name=?, webhook_url=?, secrets=?, schedule=?, chaos=? WHERE id=?`,
		app.Name, app.WebhookURL, jsonText(app.Secrets), jsonText(app.Schedule), jsonText(app.Chaos), app.ID)
	if err != nil {
		return Application{}, fmt.Errorf("update application %s: %w", app.ID, err)
	}
	return app, nil
}

// DeleteApplication removes application id, or returns ErrNotFound. Its
// deliveries stay in the outbox, pending ones included: each carries its
// own URL and secrets, as MiniVoice's queued webhooks would.
func (e *Engine) DeleteApplication(ctx context.Context, id string) error {
	res, err := e.db.ExecContext(ctx, `DELETE FROM applications WHERE id=?`, id)
	if err != nil {
		return fmt.Errorf("delete application %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("application %s: %w", id, ErrNotFound)
	}
	return nil
}

// Application returns one application, or ErrNotFound.
func (e *Engine) Application(ctx context.Context, id string) (Application, error) {
	apps, err := e.queryApps(ctx, `WHERE id=?`, id)
	if err != nil {
		return Application{}, err
	}
	if len(apps) == 0 {
		return Application{}, fmt.Errorf("application %s: %w", id, ErrNotFound)
	}
	return apps[0], nil
}

// Applications lists every application, oldest first.
func (e *Engine) Applications(ctx context.Context) ([]Application, error) {
	return e.queryApps(ctx, `ORDER BY rowid`)
}

func (e *Engine) queryApps(ctx context.Context, where string, args ...any) ([]Application, error) {
	return queryAll(ctx, e.db, "applications", `SELECT `+appColumns+` FROM applications `+where, scanApp, args...)
}

func scanApp(rows *sql.Rows) (Application, error) {
	var a Application
	var secrets, schedule, chaos string
	var created int64
	if err := rows.Scan(&a.ID, &a.Name, &a.WebhookURL, &secrets, &schedule, &chaos, &created); err != nil {
		return Application{}, fmt.Errorf("scan application: %w", err)
	}
	if err := errors.Join(json.Unmarshal([]byte(secrets), &a.Secrets),
		json.Unmarshal([]byte(schedule), &a.Schedule), json.Unmarshal([]byte(chaos), &a.Chaos)); err != nil {
		return Application{}, fmt.Errorf("application %s: %w: %v", a.ID, ErrCorrupt, err)
	}
	a.CreatedAt = fromNanos(created)
	return a, nil
}
