package control

import (
	"encoding/json"
	"net/url"
	"sort"
	"time"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/spec"
)

// The JSON shapes of spec/mock-api.yaml. They are separate from the engine's
// types so the wire format stays stable while the engine evolves, and so a
// secret has no field to leak through.

type chaosJSON struct {
	Duplicate  int    `json:"duplicate,omitempty"`
	Concurrent bool   `json:"concurrent,omitempty"`
	OutOfOrder bool   `json:"out_of_order,omitempty"`
	Jitter     string `json:"jitter,omitempty"`
	LostAck    int    `json:"lost_ack,omitempty"`
}

type applicationCreate struct {
	Name           string     `json:"name"`
	WebhookURL     string     `json:"webhook_url"`
	WebhookSecret  string     `json:"webhook_secret"`
	WebhookSecrets []string   `json:"webhook_secrets"`
	RetrySchedule  []string   `json:"retry_schedule"`
	Chaos          *chaosJSON `json:"chaos"`
}

type applicationJSON struct {
	ID            string    `json:"id"`
	Name          string    `json:"name,omitempty"`
	WebhookURL    string    `json:"webhook_url"`
	SecretSet     bool      `json:"secret_set"`
	SecretCount   int       `json:"secret_count"`
	RetrySchedule []string  `json:"retry_schedule,omitempty"`
	Chaos         chaosJSON `json:"chaos"`
	CreatedAt     time.Time `json:"created_at"`
}

type overrides map[string]json.RawMessage

type callCreate struct {
	ApplicationID string    `json:"application_id"`
	Scenario      string    `json:"scenario"`
	From          string    `json:"from"`
	To            string    `json:"to"`
	Direction     string    `json:"direction"`
	Call          overrides `json:"call"`
	Variables     overrides `json:"variables"`
	Data          overrides `json:"data"`
}

type eventCreate struct {
	ApplicationID string    `json:"application_id"`
	Event         string    `json:"event"`
	Call          overrides `json:"call"`
	Variables     overrides `json:"variables"`
	Data          overrides `json:"data"`
	Delay         string    `json:"delay"`
}

type deliveryJSON struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"application_id"`
	URL           string     `json:"url"`
	Event         string     `json:"event"`
	CallID        string     `json:"call_id"`
	EventKey      string     `json:"event_key"`
	Status        string     `json:"status"`
	AttemptCount  int        `json:"attempt_count"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Chaos         []string   `json:"chaos,omitempty"`
	Body          string     `json:"body,omitempty"`
	ResendOf      string     `json:"resend_of,omitempty"`
}

type attemptJSON struct {
	N               int               `json:"n"`
	ScheduledAt     time.Time         `json:"scheduled_at"`
	StartedAt       time.Time         `json:"started_at"`
	SentAt          time.Time         `json:"sent_at"`
	RequestHeaders  map[string]string `json:"request_headers,omitempty"`
	LatencyMS       float64           `json:"latency_ms"`
	Status          int               `json:"status,omitempty"`
	ErrorClass      string            `json:"error_class,omitempty"`
	Error           string            `json:"error,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	ResponseBody    string            `json:"response_body,omitempty"`
	NextRetryAt     *time.Time        `json:"next_retry_at,omitempty"`
}

type deliveryDetail struct {
	deliveryJSON
	Attempts []attemptJSON `json:"attempts"`
}

func applicationOut(a mock.Application) applicationJSON {
	out := applicationJSON{
		ID:          a.ID,
		Name:        a.Name,
		WebhookURL:  redactURL(a.WebhookURL),
		SecretSet:   len(a.Secrets) > 0,
		SecretCount: len(a.Secrets),
		Chaos:       chaosOut(a.Chaos),
		CreatedAt:   a.CreatedAt.UTC(),
	}
	for _, d := range a.Schedule {
		out.RetrySchedule = append(out.RetrySchedule, d.String())
	}
	return out
}

func chaosOut(c mock.Chaos) chaosJSON {
	out := chaosJSON{Duplicate: c.Duplicate, Concurrent: c.Concurrent, OutOfOrder: c.OutOfOrder, LostAck: c.LostAck}
	if c.Jitter > 0 {
		out.Jitter = c.Jitter.String()
	}
	return out
}

func deliveryOut(d mock.Delivery) deliveryJSON {
	out := deliveryJSON{
		ID:            d.ID,
		ApplicationID: d.ApplicationID,
		URL:           redactURL(d.URL),
		Event:         d.Event,
		CallID:        d.CallID,
		EventKey:      spec.EventKey(d.CallID, d.Event),
		Status:        d.Status,
		AttemptCount:  d.Attempts,
		CreatedAt:     d.CreatedAt.UTC(),
		Chaos:         d.Chaos,
		ResendOf:      d.ResendOf,
	}
	if d.Status == "pending" && !d.NextAttemptAt.IsZero() {
		t := d.NextAttemptAt.UTC()
		out.NextAttemptAt = &t
	}
	out.Body = string(d.Body) // a string, so indenting the answer never alters the signed bytes
	return out
}

func attemptOut(a mock.Attempt) attemptJSON {
	out := attemptJSON{
		N:               a.N,
		ScheduledAt:     a.ScheduledAt.UTC(),
		StartedAt:       a.StartedAt.UTC(),
		SentAt:          a.SentAt.UTC(),
		RequestHeaders:  a.RequestHeaders,
		LatencyMS:       float64(a.Latency.Microseconds()) / 1000,
		Status:          a.Status,
		ErrorClass:      a.ErrorClass,
		Error:           a.Error,
		ResponseHeaders: a.ResponseHeaders,
		ResponseBody:    a.ResponseBody,
	}
	if a.NextRetryAt != nil {
		t := a.NextRetryAt.UTC()
		out.NextRetryAt = &t
	}
	return out
}

// redactURL hides user:password in a webhook URL: it is a credential, and
// the API and page show URLs to anyone who can reach them.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// set turns the call/variables/data override objects into the contract's
// dotted-path overrides. Values are passed as JSON, so "123" stays a string
// and 123 a number; keys are sorted so equal requests give equal bodies.
func (o overrides) set(prefix string) []spec.Override {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]spec.Override, 0, len(keys))
	for _, k := range keys {
		out = append(out, spec.Override{Path: prefix + "." + k, Value: string(o[k])})
	}
	return out
}
