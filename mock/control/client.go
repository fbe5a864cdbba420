package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrUnreachable marks a control API that did not answer (no mvh mock
// serve at that address).
var ErrUnreachable = errors.New("mock not reachable")

// ErrRefused marks a request the control API refused (4xx): the caller's
// input, named in the message.
var ErrRefused = errors.New("refused")

// Delivery, Attempt and Application are the control API's answers, as
// spec/mock-api.yaml describes them.
type (
	Delivery       = deliveryJSON
	DeliveryDetail = deliveryDetail
	Application    = applicationJSON
)

// Client drives a running `mvh mock serve` through its control API, so the
// CLI (mvh mock trigger, call, deliveries, resend) and scripts use the
// documented interface, never the outbox file.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8025
	Token   string // the server's --token, if any
	HTTP    *http.Client
}

// Overrides are the call, variables and data fields an event or a call sets,
// keyed by section ("call", "variables", "data") then field.
type Overrides map[string]map[string]json.RawMessage

// Applications lists the mock's applications, oldest first.
func (c Client) Applications(ctx context.Context) ([]Application, error) {
	var out struct{ Applications []Application }
	return out.Applications, c.do(ctx, http.MethodGet, "/v1/applications", nil, &out)
}

// AppSettings are what an application is made with (POST, or PUT to
// replace; a PUT without secrets keeps the current ones).
type AppSettings struct {
	Name          string     `json:"name,omitempty"`
	WebhookURL    string     `json:"webhook_url"`
	Secrets       []string   `json:"webhook_secrets,omitempty"`
	RetrySchedule []string   `json:"retry_schedule,omitempty"`
	Chaos         *chaosJSON `json:"chaos,omitempty"` // from Application.Chaos, to keep it across an update
}

// CreateApplication makes an application (POST /v1/applications).
func (c Client) CreateApplication(ctx context.Context, s AppSettings) (Application, error) {
	var out Application
	return out, c.do(ctx, http.MethodPost, "/v1/applications", s, &out)
}

// UpdateApplication replaces application id's settings (PUT).
func (c Client) UpdateApplication(ctx context.Context, id string, s AppSettings) (Application, error) {
	var out Application
	return out, c.do(ctx, http.MethodPut, "/v1/applications/"+url.PathEscape(id), s, &out)
}

// DeleteApplication removes application id; its deliveries keep running.
func (c Client) DeleteApplication(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/applications/"+url.PathEscape(id), nil, nil)
}

// GetApplication returns one application.
func (c Client) GetApplication(ctx context.Context, id string) (Application, error) {
	var out Application
	return out, c.do(ctx, http.MethodGet, "/v1/applications/"+url.PathEscape(id), nil, &out)
}

// TriggerEvent emits one event to an application (POST /v1/events).
func (c Client) TriggerEvent(ctx context.Context, appID, event string, set Overrides) ([]Delivery, error) {
	body := map[string]any{"application_id": appID, "event": event}
	set.into(body)
	var out struct{ Deliveries []Delivery }
	return out.Deliveries, c.do(ctx, http.MethodPost, "/v1/events", body, &out)
}

// Call makes a call that plays a scenario (POST /v1/calls) and returns the
// call's ID and its deliveries.
func (c Client) Call(ctx context.Context, appID, scenario string, set Overrides) (string, []Delivery, error) {
	body := map[string]any{"application_id": appID, "scenario": scenario}
	set.into(body)
	var out struct {
		Call       struct{ ID string }
		Deliveries []Delivery
	}
	err := c.do(ctx, http.MethodPost, "/v1/calls", body, &out)
	return out.Call.ID, out.Deliveries, err
}

// DeliveryQuery filters Deliveries; empty fields match everything.
type DeliveryQuery struct {
	Status, CallID, ApplicationID string
	Limit                         int
	NewestFirst                   bool
}

// Deliveries lists deliveries (GET /v1/deliveries).
func (c Client) Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error) {
	v := url.Values{}
	for k, s := range map[string]string{"status": q.Status, "call_id": q.CallID, "application_id": q.ApplicationID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.NewestFirst {
		v.Set("order", "newest")
	}
	var out struct{ Deliveries []Delivery }
	return out.Deliveries, c.do(ctx, http.MethodGet, "/v1/deliveries?"+v.Encode(), nil, &out)
}

// Delivery returns one delivery with its attempts.
func (c Client) Delivery(ctx context.Context, id string) (DeliveryDetail, error) {
	var out DeliveryDetail
	return out, c.do(ctx, http.MethodGet, "/v1/deliveries/"+url.PathEscape(id), nil, &out)
}

// Resend starts a new delivery of delivery id's event and returns it.
func (c Client) Resend(ctx context.Context, id string) (Delivery, error) {
	var out Delivery
	return out, c.do(ctx, http.MethodPost, "/v1/deliveries/"+url.PathEscape(id)+"/resend", nil, &out)
}

// into merges the overrides into a request body.
func (o Overrides) into(body map[string]any) {
	for section, fields := range o {
		body[section] = fields
	}
}

// do sends one request and decodes the answer into out; a refusal is
// ErrRefused with the server's message, no answer ErrUnreachable.
func (c Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("mock %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("mock %s: %w", c.BaseURL, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("mock %s: %w: %v (is mvh mock serve running there?)", c.BaseURL, ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode >= 300 {
		var refusal struct{ Error string }
		if json.Unmarshal(data, &refusal) != nil || refusal.Error == "" {
			refusal.Error = strings.TrimSpace(string(data))
		}
		kind := ErrRefused
		if resp.StatusCode >= 500 {
			kind = errors.New("server error")
		}
		return fmt.Errorf("mock %s: %w (%d): %s", method+" "+path, kind, resp.StatusCode, refusal.Error)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("mock %s %s: answer: %w", method, path, err)
		}
	}
	return nil
}
