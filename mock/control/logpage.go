package control

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minivoice/mvh/mock"
)

//go:embed web/*.html
var webFiles embed.FS

// pageLimit is how many deliveries the overview lists; filters reach the rest.
const pageLimit = 200

// logPages renders the delivery log: server-side html/template, inline CSS,
// no script, so it works from any browser (and curl) with nothing to fetch.
type logPages struct {
	index, delivery, message *template.Template
}

func newLogPages() (*logPages, error) {
	funcs := template.FuncMap{
		"join": strings.Join,
		"when": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.UTC().Format("2006-01-02 15:04:05.000Z")
			case *time.Time:
				if v != nil {
					return v.UTC().Format("2006-01-02 15:04:05.000Z")
				}
			}
			return ""
		},
		"chaos": chaosText,
	}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New(name).Funcs(funcs).ParseFS(webFiles, "web/layout.html", "web/"+name)
		if err != nil {
			return nil, fmt.Errorf("log page template %s: %w", name, err)
		}
		return t, nil
	}
	var p logPages
	var err error
	if p.index, err = parse("index.html"); err != nil {
		return nil, err
	}
	if p.delivery, err = parse("delivery.html"); err != nil {
		return nil, err
	}
	if p.message, err = parse("message.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// chaosText summarises an application's chaos settings for a table cell.
func chaosText(c chaosJSON) string {
	var parts []string
	if c.Duplicate > 0 {
		mode := "sequential"
		if c.Concurrent {
			mode = "concurrent"
		}
		parts = append(parts, fmt.Sprintf("duplicate ×%d (%s)", c.Duplicate, mode))
	}
	if c.OutOfOrder {
		parts = append(parts, "out of order")
	}
	if c.Jitter != "" {
		parts = append(parts, "jitter "+c.Jitter)
	}
	if c.LostAck > 0 {
		parts = append(parts, fmt.Sprintf("lost ack ×%d", c.LostAck))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// pageRoutes serves the log page; every route passes pageAuth, and the one
// that changes state is behind CrossOriginProtection so another site cannot
// make a visitor's browser resend.
func (s *Server) pageRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.indexPage)
	mux.HandleFunc("GET /deliveries/{id}", s.deliveryPage)
	mux.Handle("POST /deliveries/{id}/resend", http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.resendForm)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderMessage(w, http.StatusNotFound, "Not found", "No page at "+r.URL.Path+".")
	})
	return s.pageAuth(mux)
}

func (s *Server) indexPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := mock.Filter{CallID: q.Get("call_id"), Status: q.Get("status"), ApplicationID: q.Get("application_id")}
	switch f.Status {
	case "", mock.StatusPending, mock.StatusDelivered, mock.StatusFailed:
	default:
		s.renderMessage(w, http.StatusBadRequest, "Bad filter", fmt.Sprintf("status %q: want pending, delivered or failed.", f.Status))
		return
	}
	apps, err := s.engine.Applications(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ds, err := s.engine.Deliveries(r.Context(), f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, s.pages.index, http.StatusOK, map[string]any{
		"Title":        "Deliveries",
		"Filter":       f,
		"Statuses":     []string{mock.StatusPending, mock.StatusDelivered, mock.StatusFailed},
		"Applications": applicationsOut(apps),
		"Deliveries":   newestFirst(ds, pageLimit),
		"More":         len(ds) > pageLimit,
	})
}

func (s *Server) deliveryPage(w http.ResponseWriter, r *http.Request) {
	d, attempts, err := s.engine.Delivery(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err) // the engine's error names the delivery
		return
	}
	out := make([]attemptJSON, 0, len(attempts))
	for _, a := range attempts {
		out = append(out, attemptOut(a))
	}
	s.render(w, s.pages.delivery, http.StatusOK, map[string]any{
		"Title":    "Delivery " + d.ID,
		"Delivery": deliveryOut(d),
		"Attempts": out,
		"Body":     prettyBody(d.Body),
	})
}

// resendForm is the page's resend button: the same Engine.Resend as
// POST /v1/deliveries/{id}/resend, answered with a redirect to the new
// delivery so a reload does not resend again.
func (s *Server) resendForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.engine.Resend(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err) // the engine's error names the delivery
		return
	}
	http.Redirect(w, r, "/deliveries/"+url.PathEscape(d.ID), http.StatusSeeOther)
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, mock.ErrNotFound) {
		status = http.StatusNotFound
	} else {
		s.cfg.Logger.Error("mock page: request failed", "path", r.URL.Path, "err", err)
	}
	s.renderMessage(w, status, http.StatusText(status), err.Error())
}

func (s *Server) renderMessage(w http.ResponseWriter, status int, title, msg string) {
	s.render(w, s.pages.message, status, map[string]any{"Title": title, "Message": msg})
}

// render executes into a buffer first, so a template error is a clean 500
// rather than half a page.
func (s *Server) render(w http.ResponseWriter, t *template.Template, status int, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, t.Name(), data); err != nil {
		s.cfg.Logger.Error("mock page: render", "template", t.Name(), "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// newestFirst keeps the last n deliveries, newest first: a log is read from
// the top, and the engine lists in creation order.
func newestFirst(ds []mock.Delivery, n int) []deliveryJSON {
	out := make([]deliveryJSON, 0, min(len(ds), n))
	for i := len(ds) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, deliveryOut(ds[i]))
	}
	return out
}

func applicationsOut(apps []mock.Application) []applicationJSON {
	out := make([]applicationJSON, 0, len(apps))
	for _, a := range apps {
		out = append(out, applicationOut(a))
	}
	return out
}

// prettyBody indents a JSON body for reading; the API keeps the exact bytes.
func prettyBody(body []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, body, "", "  ") == nil {
		return b.String()
	}
	return string(body)
}
