package mock

import (
	"errors"
	"time"

	"github.com/minivoice/mvh/spec"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound is returned for an application or delivery ID the outbox
	// does not hold.
	ErrNotFound = errors.New("not found")
	// ErrLocked means another process holds the outbox: two engines on one
	// file would deliver everything twice.
	ErrLocked = errors.New("database is locked by another process")
	// ErrCorrupt means the outbox file exists but is not a usable SQLite
	// database; mvh never overwrites it.
	ErrCorrupt = errors.New("not an mvh database (corrupt or foreign file)")
	// ErrUnknownScenario is returned for a scenario name neither embedded nor
	// loaded from a user file.
	ErrUnknownScenario = errors.New("unknown scenario")
	// ErrInvalid marks bad input to Enqueue, EnqueueCall or
	// CreateApplication (a bad URL, override or schedule), so an API can
	// answer 400 rather than 500.
	ErrInvalid = errors.New("invalid input")
)

// Delivery states. A delivery is pending until one attempt gets a 2xx
// (delivered) or its schedule is exhausted (failed).
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Error classes of a failed attempt, so reports and receivers' authors can
// tell a slow receiver from a refused connection from a 500.
const (
	ClassHTTP        = "http"        // a non-2xx answer
	ClassTimeout     = "timeout"     // no complete answer within the attempt timeout
	ClassRefused     = "refused"     // nothing listens on the port
	ClassReset       = "reset"       // the connection was reset or closed mid-exchange
	ClassTLS         = "tls"         // handshake or certificate failure
	ClassDNS         = "dns"         // the host name does not resolve
	ClassNetwork     = "network"     // any other transport error
	ClassLostAck     = "lost-ack"    // chaos: the request was sent, the answer dropped unread
	ClassInterrupted = "interrupted" // the engine shut down mid-attempt; rescheduled
)

// Application is what `mvh mock serve` manages: a webhook endpoint with its
// secrets, retry schedule and chaos settings. A nil Schedule means the
// contract's x-minivoice-retry schedule.
type Application struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	WebhookURL string          `json:"webhook_url"`
	Secrets    []string        `json:"-"`
	Schedule   []time.Duration `json:"retry_schedule,omitempty"`
	Chaos      Chaos           `json:"chaos"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Chaos is the production misbehaviour to inject, per application or per
// send. The zero value injects nothing.
type Chaos struct {
	// Duplicate delivers N extra copies of each event (N+1 deliveries).
	Duplicate int `json:"duplicate,omitempty"`
	// Concurrent sends the copies at the same instant; otherwise each copy
	// starts after the previous one has finished.
	Concurrent bool `json:"concurrent,omitempty"`
	// OutOfOrder shuffles the events of a call across the scenario's delays,
	// so later events arrive first (created_at keeps the true order).
	OutOfOrder bool `json:"out_of_order,omitempty"`
	// Jitter delays each delivery by a random extra in [0, Jitter].
	Jitter time.Duration `json:"jitter,omitempty"`
	// LostAck makes the first N attempts of each delivery "lost acks": the
	// whole request is written, the answer dropped unread, and the attempt
	// counted as failed.
	LostAck int `json:"lost_ack,omitempty"`
}

// Send asks for one event to be delivered. With ApplicationID, empty URL,
// Secrets, Schedule and a zero Chaos come from the application. An empty
// Body is built from the contract's example of Event with CallID (fresh when
// empty), Set and Data; a given Body is sent byte for byte, whatever it is.
type Send struct {
	ApplicationID string
	URL           string
	Secrets       []string
	Event         string
	Body          []byte
	CallID        string
	Set           []spec.Override
	Data          map[string]any
	Schedule      []time.Duration
	Chaos         Chaos
	// Delay postpones the first attempt, in schedule time.
	Delay time.Duration
}

// Delivery is one event on its way to one URL. Times are in schedule time:
// under Config.TimeScale they read as if the schedule ran in real time.
type Delivery struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id,omitempty"`
	URL           string    `json:"url"`
	Event         string    `json:"event"`
	CallID        string    `json:"call_id,omitempty"`
	Body          []byte    `json:"-"`
	Status        string    `json:"status"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	CreatedAt     time.Time `json:"created_at"`
	// Chaos lists every chaos action applied, in order, e.g. "duplicate 1/2
	// of dlv_…", "lost-ack on attempt 1".
	Chaos []string `json:"chaos,omitempty"`
	// ResendOf is the delivery this one re-sends, if any.
	ResendOf string `json:"resend_of,omitempty"`
}

// Attempt is one POST of a delivery. Status is the HTTP status (0 when no
// answer was read); ErrorClass is empty on success. ScheduledAt and
// StartedAt are in schedule time, like every time of a Delivery, so an
// attempt never appears to start before it was due; SentAt is the real
// time it went out, the X-MiniVoice-Timestamp it was signed with (equal to
// StartedAt at TimeScale 1).
type Attempt struct {
	DeliveryID  string    `json:"delivery_id"`
	N           int       `json:"n"`
	ScheduledAt time.Time `json:"scheduled_at"`
	StartedAt   time.Time `json:"started_at"`
	SentAt      time.Time `json:"sent_at"`
	// RequestHeaders are the headers the attempt was sent with, signature
	// included (first value each), so a receiver's rejection can be
	// checked against exactly what it got.
	RequestHeaders  map[string]string `json:"request_headers,omitempty"`
	Latency         time.Duration     `json:"latency"`
	Status          int               `json:"status,omitempty"`
	ErrorClass      string            `json:"error_class,omitempty"`
	Error           string            `json:"error,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	ResponseBody    string            `json:"response_body,omitempty"`
	// NextRetryAt is when the next attempt is due (schedule time); nil when
	// the delivery is delivered or exhausted.
	NextRetryAt *time.Time `json:"next_retry_at,omitempty"`
}

// Filter selects deliveries; empty fields match everything. Limit 0 means
// no limit. Deliveries come oldest first, or NewestFirst (Limit then keeps
// the newest N).
type Filter struct {
	CallID        string
	Status        string
	ApplicationID string
	Limit         int
	NewestFirst   bool
}

// CallRequest asks for a call that emits a scenario's events. Empty From, To
// and Direction keep the scenario's (then the example's) values; Set applies
// to every event of the call.
type CallRequest struct {
	Scenario  string
	From, To  string
	Direction string
	Set       []spec.Override
}

// Call is a call created by EnqueueCall; its events are the deliveries
// returned alongside it.
type Call struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id,omitempty"`
	Scenario      string    `json:"scenario"`
	Direction     string    `json:"direction,omitempty"`
	From          string    `json:"from,omitempty"`
	To            string    `json:"to,omitempty"`
	Events        []string  `json:"events"`
	CreatedAt     time.Time `json:"created_at"`
}
