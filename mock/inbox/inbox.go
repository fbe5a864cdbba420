// Package inbox is `mvh listen`: a local receiver that shows each delivery
// a sender makes (event, call, whether the signature verifies and why not,
// schema violations), forwards it to the user's own receiver unchanged,
// and saves it as a replayable fixture.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/mock/server"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
)

// maxInboxBody bounds what the inbox reads of one delivery; MiniVoice
// payloads are a few KiB, so anything near this is a sender bug worth a 413.
const maxInboxBody = 4 << 20

// Config configures `mvh listen`.
type Config struct {
	Addr      string
	Path      string        // only this path (and below) is the inbox; "/" takes everything
	Secrets   []string      // verify against these; none means deliveries are shown, not verified
	Tolerance time.Duration // timestamp tolerance; 0 means the contract's
	Forward   string        // optional: also POST each delivery here, same headers, exact body
	// AckAlways answers the sender with the inbox's own verdict even when
	// forwarding; by default a forwarded delivery gets the forward
	// target's answer (502 when it cannot be reached), so the sender
	// retries exactly when the user's receiver would make it.
	AckAlways bool
	// PrintJSON prints each delivery as one JSON object (Report, with the
	// request's headers and exact body) instead of the text line.
	PrintJSON bool
	Save      string // optional: save each delivery as a fixture file in this directory
	// Token, when set, is required of every request as a bearer header or
	// a ?token= query (a webhook URL can carry it); without one the inbox
	// answers only requests addressed to the local machine.
	Token  string
	Logger *slog.Logger
	Out    io.Writer        // one line per delivery; nil discards
	Now    func() time.Time // nil means time.Now
	Client *http.Client     // for forwarding; nil means a 10 s timeout client
}

// RegisterFlags binds the flags of `mvh listen`; Secrets are appended by the
// caller, since the flag package has no repeated string flag.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8090", "listen on `host:port` (loopback by default)")
	fs.StringVar(&c.Path, "path", "/", "serve the inbox at this URL `path`")
	fs.DurationVar(&c.Tolerance, "tolerance", 0, "accepted timestamp skew, either way (default: the contract's x-minivoice-signature tolerance)")
	fs.StringVar(&c.Forward, "forward", "", "also forward each delivery to this `URL` (same headers, exact body)")
	fs.BoolVar(&c.PrintJSON, "print-json", false, "print each delivery as one JSON line: verdict, headers and exact body")
	fs.BoolVar(&c.AckAlways, "ack-always", false, "with --forward, answer the sender with the inbox's own verdict, not the forward target's answer")
	fs.StringVar(&c.Save, "save", "", "save each delivery as a fixture file in `dir`")
	fs.StringVar(&c.Token, "token", "", "require `T` of every request, as \"Authorization: Bearer T\" or ?token=T")
}

// Inbox receives deliveries, explains each one and answers the sender the
// way a conforming receiver would: 2xx for a verified (or, without secrets,
// any) delivery, 401 for a bad signature; when forwarding, what the forward
// target answered (502 when unreachable) unless AckAlways. It is an
// http.Handler.
type Inbox struct {
	spec *spec.Spec
	cfg  Config
	// scheme is the contract's signing scheme, --tolerance applied.
	scheme signature.Scheme
	mu     sync.Mutex // serialises Out and the fixture counter
	seq    int
}

// Report is what the inbox learned about one delivery.
type Report struct {
	Time       time.Time        `json:"time"`
	Event      string           `json:"event"`
	CallID     string           `json:"call_id"`
	Status     int              `json:"status"` // what the inbox answered the sender
	Signature  Diagnosis        `json:"signature"`
	Violations []spec.Violation `json:"violations,omitempty"`
	Forward    *ForwardResult   `json:"forward,omitempty"`
	Saved      string           `json:"saved,omitempty"`
	SaveError  string           `json:"save_error,omitempty"`
	// Method, Path, Headers and Body are the request as received, for
	// --print-json (Body is the exact bytes as a string).
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// New checks cfg and returns the handler.
func New(s *spec.Spec, cfg Config) (*Inbox, error) {
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		return nil, fmt.Errorf("path %q: want a path starting with /", cfg.Path)
	}
	if cfg.Forward != "" {
		if err := delivery.CheckURL(cfg.Forward); err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	sc := s.Signature().Signing()
	if cfg.Tolerance > 0 {
		sc.Tolerance = cfg.Tolerance
	}
	return &Inbox{spec: s, cfg: cfg, scheme: sc}, nil
}

// ServeHTTP handles one delivery.
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !in.owns(r.URL.Path) {
		server.WriteJSON(w, http.StatusNotFound, server.Refusal{Error: "no inbox at " + r.URL.Path})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		server.WriteJSON(w, http.StatusMethodNotAllowed, server.Refusal{Error: "webhooks are POSTed"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInboxBody))
	if err != nil {
		status := http.StatusBadRequest
		if errors.As(err, new(*http.MaxBytesError)) {
			status = http.StatusRequestEntityTooLarge
		}
		server.WriteJSON(w, status, server.Refusal{Error: "body: " + err.Error()})
		return
	}
	rep := in.Inspect(r, body)
	if f := rep.Forward; f != nil && !in.cfg.AckAlways {
		relay(w, rep.Status, f)
		return
	}
	if rep.Status/100 == 2 {
		server.WriteJSON(w, rep.Status, map[string]bool{"ok": true})
	} else {
		server.WriteJSON(w, rep.Status, server.Refusal{Error: "signature: " + rep.Signature.Reason})
	}
}

func (in *Inbox) owns(path string) bool {
	p := in.cfg.Path
	return p == "/" || path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/")
}

// Inspect verifies, validates, forwards and saves one delivery, prints its
// line and returns the report. ServeHTTP is Inspect plus the answer.
func (in *Inbox) Inspect(r *http.Request, body []byte) Report {
	now := in.cfg.Now()
	rep := Report{Time: now, Status: http.StatusOK, Method: r.Method, Path: r.URL.Path, Headers: r.Header.Clone(), Body: string(body)}
	rep.Event, rep.CallID = eventAndCall(r.Header.Get(in.scheme.EventHeader), body)
	rep.Signature = diagnose(r.Header, body, in.cfg.Secrets, in.scheme, now)
	if rep.Signature.Checked && !rep.Signature.Valid {
		rep.Status = http.StatusUnauthorized
	}
	rep.Violations = in.spec.Validate(body)
	if in.cfg.Forward != "" {
		f := forward(r.Context(), in.cfg.Client, in.cfg.Forward, r.Header, body)
		rep.Forward = &f
		if !in.cfg.AckAlways {
			rep.Status = f.answer()
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seq++
	if in.cfg.Save != "" {
		name, err := saveFixture(in.cfg.Save, in.seq, r, body, rep, in.scheme)
		rep.Saved = name
		if err != nil {
			rep.SaveError = err.Error()
		}
	}
	in.print(rep)
	in.cfg.Logger.Debug("listen: delivery", "event", rep.Event, "call_id", rep.CallID, "status", rep.Status, "signature", rep.Signature.Reason)
	return rep
}

// eventAndCall reads what the one-line summary shows, tolerating any body.
func eventAndCall(header string, body []byte) (event, callID string) {
	var env struct {
		Event string `json:"event"`
		Call  struct {
			ID string `json:"id"`
		} `json:"call"`
	}
	_ = json.Unmarshal(body, &env)
	event = env.Event
	if event == "" {
		event = header
	}
	if event == "" {
		event = "-"
	}
	callID = env.Call.ID
	if callID == "" {
		callID = "-"
	}
	return event, callID
}

// Serve answers deliveries on ln until ctx ends.
func (in *Inbox) Serve(ctx context.Context, ln net.Listener) error {
	var h http.Handler = in
	if in.cfg.Token != "" {
		h = server.RequireToken(in.cfg.Token, h)
	} else {
		h = server.LocalHostOnly(ln.Addr(), h)
	}
	return server.Serve(ctx, ln, h, in.cfg.Logger)
}
