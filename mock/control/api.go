// Package control is the HTTP face of `mvh mock serve`: the JSON control
// API of spec/mock-api.yaml under /v1/, /healthz, and the
// delivery log page with its templates. It drives a mock.Engine and holds
// no delivery state of its own.
package control

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/mock/server"
	"github.com/minivoice/mvh/spec"
)

// ServerConfig configures the HTTP side of `mvh mock serve`; the delivery
// side is Config.
type ServerConfig struct {
	Addr string
	// Token, when set, is required as "Authorization: Bearer <token>" on the
	// control API and (see pageAuth) on the delivery log pages.
	Token  string
	Logger *slog.Logger
}

// RegisterFlags binds --addr and --token.
func (c *ServerConfig) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8025", "serve the control API and log page on `host:port` (loopback by default)")
	fs.StringVar(&c.Token, "token", "", "require `T` as a bearer token on /v1/* and the log page")
}

// Server is the mock's HTTP face: the JSON control API of spec/mock-api.yaml
// under /v1/, /healthz, and the delivery log page at / (read-only but for its Resend button). Every
// request it serves goes through the same Engine the CLI uses.
type Server struct {
	engine *mock.Engine
	spec   *spec.Spec
	cfg    ServerConfig
	check  *apiValidator
	pages  *logPages
	mux    *http.ServeMux
}

// NewServer builds the handler; it fails only on a broken embedded document
// or template, i.e. a bad build.
func NewServer(ctx context.Context, e *mock.Engine, s *spec.Spec, cfg ServerConfig) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	check, err := newAPIValidator(ctx)
	if err != nil {
		return nil, err
	}
	pages, err := newLogPages()
	if err != nil {
		return nil, err
	}
	srv := &Server{engine: e, spec: s, cfg: cfg, check: check, pages: pages, mux: http.NewServeMux()}
	srv.routes()
	return srv, nil
}

func (s *Server) routes() {
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/applications", s.createApplication)
	api.HandleFunc("GET /v1/applications", s.listApplications)
	api.HandleFunc("GET /v1/applications/{id}", s.getApplication)
	api.HandleFunc("PUT /v1/applications/{id}", s.updateApplication)
	api.HandleFunc("DELETE /v1/applications/{id}", s.deleteApplication)
	api.HandleFunc("POST /v1/calls", s.createCall)
	api.HandleFunc("POST /v1/events", s.createEvent)
	api.HandleFunc("GET /v1/deliveries", s.listDeliveries)
	api.HandleFunc("GET /v1/deliveries/{id}", s.getDelivery)
	api.HandleFunc("POST /v1/deliveries/{id}/resend", s.resendDelivery)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		server.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	s.mux.Handle("/v1/", s.requireBearer(s.validated(api)))
	s.mux.Handle("/", s.pageRoutes())
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// requireBearer guards the control API when a token is configured. The
// compare is constant-time so the token cannot be guessed byte by byte.
func (s *Server) requireBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token != "" && !tokenEqual(bearer(r), s.cfg.Token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mvh mock"`)
			server.WriteJSON(w, http.StatusUnauthorized, server.Refusal{Error: "authorization: want header \"Authorization: Bearer <token>\" with the server's --token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func tokenEqual(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// validated refuses requests spec/mock-api.yaml does not allow, naming the
// failing field, before the handler decodes them.
func (s *Server) validated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, msg := s.check.check(r); status != 0 {
			server.WriteJSON(w, status, server.Refusal{Error: msg})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fail answers err with the status its kind calls for; anything unexpected
// is a 500 with the message logged, since it is the mock's bug, not the
// caller's.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ue *unprocessable
	switch {
	case errors.As(err, &ue), errors.Is(err, mock.ErrInvalid), errors.Is(err, mock.ErrUnknownScenario), errors.Is(err, spec.ErrUnknownEvent):
		server.WriteJSON(w, http.StatusUnprocessableEntity, server.Refusal{Error: err.Error()})
	case errors.Is(err, mock.ErrNotFound):
		server.WriteJSON(w, http.StatusNotFound, server.Refusal{Error: err.Error()})
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		server.WriteJSON(w, http.StatusServiceUnavailable, server.Refusal{Error: "request cancelled"})
	default:
		s.cfg.Logger.Error("mock api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		server.WriteJSON(w, http.StatusInternalServerError, server.Refusal{Error: err.Error()})
	}
}

// unprocessable is a request that matches the document but names something
// that does not exist or cannot work (an unknown event, a schedule that goes
// back in time): 422 with the field named.
type unprocessable struct{ msg string }

func (e *unprocessable) Error() string { return e.msg }

func unprocessablef(format string, args ...any) error {
	return &unprocessable{msg: fmt.Sprintf(format, args...)}
}

// decode reads a body the validator already accepted.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return unprocessablef("request body: %v", err)
	}
	return nil
}

// Serve answers on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var h http.Handler = s
	if s.cfg.Token == "" {
		h = server.LocalHostOnly(ln.Addr(), h)
	}
	return server.Serve(ctx, ln, h, s.cfg.Logger)
}
