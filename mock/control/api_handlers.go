package control

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/server"
	"github.com/minivoice/mvh/spec"
)

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) {
	app, ok := s.applicationBody(w, r)
	if !ok {
		return
	}
	created, err := s.engine.CreateApplication(r.Context(), app)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Logger.Info("mock api: application created", "id", created.ID, "url", redactURL(created.WebhookURL), "secrets", len(created.Secrets))
	server.WriteJSON(w, http.StatusCreated, applicationOut(created))
}

// applicationBody decodes and checks the body of a create or an update; on
// a bad one it has answered already.
func (s *Server) applicationBody(w http.ResponseWriter, r *http.Request) (mock.Application, bool) {
	var req applicationCreate
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return mock.Application{}, false
	}
	app, err := applicationIn(req)
	if err != nil {
		s.fail(w, r, err)
		return mock.Application{}, false
	}
	return app, true
}

// applicationIn checks what the document cannot: a usable URL, a schedule
// that never goes back in time.
func applicationIn(req applicationCreate) (mock.Application, error) {
	if err := delivery.CheckURL(req.WebhookURL); err != nil {
		return mock.Application{}, unprocessablef("webhook_url: %v", err)
	}
	app := mock.Application{Name: req.Name, WebhookURL: req.WebhookURL}
	if req.WebhookSecret != "" {
		app.Secrets = append(app.Secrets, req.WebhookSecret)
	}
	app.Secrets = append(app.Secrets, req.WebhookSecrets...)
	for i, raw := range req.RetrySchedule {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return mock.Application{}, unprocessablef("retry_schedule[%d] %q: %v", i, raw, err)
		}
		if i > 0 && d < app.Schedule[i-1] {
			return mock.Application{}, unprocessablef("retry_schedule[%d] %s is before retry_schedule[%d] %s", i, d, i-1, app.Schedule[i-1])
		}
		app.Schedule = append(app.Schedule, d)
	}
	if c := req.Chaos; c != nil {
		app.Chaos = mock.Chaos{Duplicate: c.Duplicate, Concurrent: c.Concurrent, OutOfOrder: c.OutOfOrder, LostAck: c.LostAck}
		if c.Jitter != "" {
			d, err := time.ParseDuration(c.Jitter)
			if err != nil {
				return mock.Application{}, unprocessablef("chaos.jitter %q: %v", c.Jitter, err)
			}
			app.Chaos.Jitter = d
		}
	}
	return app, nil
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	apps, err := s.engine.Applications(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"applications": applicationsOut(apps)})
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request) {
	app, err := s.engine.Application(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err) // the engine's error names the application
		return
	}
	server.WriteJSON(w, http.StatusOK, applicationOut(app))
}

// updateApplication replaces an application's settings (PUT, the body of
// a create). Secrets are write-only, so a body without webhook_secret and
// webhook_secrets keeps the current ones.
func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request) {
	app, ok := s.applicationBody(w, r)
	if !ok {
		return
	}
	old, err := s.engine.Application(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	app.ID = old.ID
	if len(app.Secrets) == 0 {
		app.Secrets = old.Secrets
	}
	updated, err := s.engine.UpdateApplication(r.Context(), app)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Logger.Info("mock api: application updated", "id", updated.ID, "url", redactURL(updated.WebhookURL), "secrets", len(updated.Secrets))
	server.WriteJSON(w, http.StatusOK, applicationOut(updated))
}

func (s *Server) deleteApplication(w http.ResponseWriter, r *http.Request) {
	if err := s.engine.DeleteApplication(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.cfg.Logger.Info("mock api: application deleted", "id", r.PathValue("id"))
	server.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// application resolves a body's application_id; an unknown one is 422, as
// the request is well-formed but names nothing.
func (s *Server) application(r *http.Request, id string) (mock.Application, error) {
	app, err := s.engine.Application(r.Context(), id)
	if errors.Is(err, mock.ErrNotFound) {
		return mock.Application{}, unprocessablef("application_id %q: no such application", id)
	}
	return app, err
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	var req eventCreate
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	send, err := s.eventSend(r, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, err := s.engine.Enqueue(r.Context(), send)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"deliveries": deliveriesOut(ds)})
}

// eventSend builds the one delivery of POST /v1/events: the event's example
// with a fresh call, the application's ID and the overrides.
func (s *Server) eventSend(r *http.Request, req eventCreate) (mock.Send, error) {
	app, err := s.application(r, req.ApplicationID)
	if err != nil {
		return mock.Send{}, err
	}
	if _, err := s.spec.Event(req.Event); err != nil {
		return mock.Send{}, unprocessablef("event %q: not in the catalogue (known: %s)", req.Event, strings.Join(s.spec.EventNames(), ", "))
	}
	set, err := overridesOf(req.Call, req.Variables, req.Data)
	if err != nil {
		return mock.Send{}, err
	}
	callID := mock.NewCallID() // fresh per event, so receivers never mistake it for an old call
	if raw, ok := req.Call["id"]; ok {
		if json.Unmarshal(raw, &callID) != nil || callID == "" {
			return mock.Send{}, unprocessablef("call.id %s: want a non-empty string", raw)
		}
	}
	set = append([]spec.Override{{Path: "call.application_id", Value: strconv.Quote(app.ID)}}, set...)
	body, err := s.spec.Payload(req.Event, spec.PayloadOptions{CallID: callID, CreatedAt: time.Now(), Set: set})
	if err != nil {
		return mock.Send{}, unprocessablef("event %s: %v", req.Event, err)
	}
	var delay time.Duration
	if req.Delay != "" {
		if delay, err = time.ParseDuration(req.Delay); err != nil {
			return mock.Send{}, unprocessablef("delay %q: %v", req.Delay, err)
		}
	}
	return mock.Send{
		ApplicationID: app.ID, URL: app.WebhookURL, Secrets: app.Secrets, Event: req.Event, Body: body,
		CallID: callID, Schedule: app.Schedule, Chaos: app.Chaos, Delay: delay,
	}, nil
}

// overridesOf flattens the override objects; a key must be one field name,
// so "call": {"a.b": 1} is refused rather than silently nested.
func overridesOf(call, variables, data overrides) ([]spec.Override, error) {
	var out []spec.Override
	for _, g := range []struct {
		name string
		o    overrides
	}{{"call", call}, {"variables", variables}, {"data", data}} {
		for k := range g.o {
			if k == "" || strings.Contains(k, ".") {
				return nil, unprocessablef("%s key %q: want a plain field name", g.name, k)
			}
		}
		out = append(out, g.o.set(g.name)...)
	}
	return out, nil
}

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	var req callCreate
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	app, err := s.application(r, req.ApplicationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := overridesOf(req.Call, req.Variables, req.Data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	call, ds, err := s.engine.EnqueueCall(r.Context(), app, mock.CallRequest{
		Scenario: req.Scenario, From: req.From, To: req.To, Direction: req.Direction, Set: set,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"call": call, "deliveries": deliveriesOut(ds)})
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := mock.Filter{CallID: q.Get("call_id"), Status: q.Get("status"), ApplicationID: q.Get("application_id"), Limit: 100,
		NewestFirst: q.Get("order") == "newest"}
	if l := q.Get("limit"); l != "" {
		f.Limit, _ = strconv.Atoi(l) // the validator checked it is an integer in range
	}
	ds, err := s.engine.Deliveries(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": deliveriesOut(ds)})
}

func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request) {
	d, attempts, err := s.engine.Delivery(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err) // the engine's error names the delivery
		return
	}
	out := deliveryDetail{deliveryJSON: deliveryOut(d), Attempts: make([]attemptJSON, 0, len(attempts))}
	for _, a := range attempts {
		out.Attempts = append(out.Attempts, attemptOut(a))
	}
	server.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) resendDelivery(w http.ResponseWriter, r *http.Request) {
	d, err := s.engine.Resend(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err) // the engine's error names the delivery
		return
	}
	server.WriteJSON(w, http.StatusAccepted, deliveryOut(d))
}

func deliveriesOut(ds []mock.Delivery) []deliveryJSON {
	out := make([]deliveryJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryOut(d))
	}
	return out
}
