package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

const (
	maxBody      = 1 << 20
	slowAckDelay = 1500 * time.Millisecond
	storeTimeout = 5 * time.Second
)

// knownEvent reports whether name is one of the six events the contract
// lists today; reject-unknown-event refuses the rest.
func knownEvent(name string) bool {
	switch name {
	case "call.created", "call.completed", "call.gathered", "call.no_answer",
		"call.recording.ready", "call.ai.completed":
		return true
	}
	return false
}

// receiver is the reference's pipeline (read, verify, parse, store, answer,
// forward later) with the chosen defect wired into the step it breaks.
type receiver struct {
	defect    string
	verifier  *verifier
	store     *store
	forwarder *forwarder // nil without --downstream
	logger    *slog.Logger
	exit      func(code int) // os.Exit, for crash-on-oversized
}

func newReceiver(cfg Config, st *store, logger *slog.Logger) *receiver {
	return &receiver{
		defect:   cfg.Defect,
		verifier: &verifier{secret: cfg.Secret, defect: cfg.Defect, logger: logger, now: time.Now},
		store:    st,
		logger:   logger,
		exit:     os.Exit,
	}
}

// envelope holds what the receiver routes and keys on.
type envelope struct {
	Event string `json:"event"`
	Call  struct {
		ID string `json:"id"`
	} `json:"call"`
}

// documentedEnvelope is every field MiniVoice documents; strict-fields
// decodes into it and refuses anything else.
type documentedEnvelope struct {
	Event     string `json:"event"`
	CreatedAt string `json:"created_at"`
	Call      struct {
		ID             string `json:"id"`
		CustomerID     string `json:"customer_id"`
		ApplicationID  string `json:"application_id"`
		ProviderCallID string `json:"provider_call_id"`
		Status         string `json:"status"`
		Direction      string `json:"direction"`
		From           string `json:"from"`
		To             string `json:"to"`
		RouteMode      string `json:"route_mode"`
		RoutingTarget  string `json:"routing_target"`
	} `json:"call"`
	Variables map[string]any `json:"variables"`
	Data      map[string]any `json:"data"`
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := rc.readBody(w, r)
	if !ok {
		return
	}
	if rc.defect == recordBeforeVerify {
		if env, _, err := rc.parse(body); err == nil {
			rc.save(w, env, body, false)
		}
	}
	if err := rc.verifier.verify(r.Header, body); err != nil {
		rc.logger.Warn("delivery rejected", "reason", err)
		reply(w, rc.signatureStatus(err), "signature: "+err.Error())
		return
	}
	env, status, err := rc.parse(body)
	if err == nil {
		if err = checkShape(rc.defect, body); err != nil {
			status = http.StatusInternalServerError
		}
	}
	if err != nil {
		rc.logger.Warn("delivery rejected", "reason", err)
		reply(w, status, err.Error())
		return
	}
	if rc.save(w, env, body, true) {
		if rc.defect == slowAck {
			time.Sleep(slowAckDelay)
		}
		reply(w, http.StatusOK, "")
	}
}

// readBody reads at most maxBody bytes; on failure it has answered.
func (rc *receiver) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	switch {
	case !errors.As(err, &tooBig):
		reply(w, http.StatusBadRequest, "body: unreadable")
	case rc.defect == crashOnOversized:
		rc.logger.Error("body larger than 1 MiB: out of memory, exiting")
		rc.exit(1)
		reply(w, http.StatusInternalServerError, "crashed")
	case rc.defect == oversized500:
		reply(w, http.StatusInternalServerError, "internal error")
	default:
		reply(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", maxBody))
	}
	return nil, false
}

func (rc *receiver) signatureStatus(err error) int {
	var notJSON errNotJSON
	switch {
	case rc.defect == status500BadSig:
		return http.StatusInternalServerError
	case errors.As(err, &notJSON), errors.Is(err, signature.ErrMalformedHeader):
		return http.StatusBadRequest
	}
	return http.StatusUnauthorized
}

// parse decodes the envelope; on error status is the answer to give.
func (rc *receiver) parse(body []byte) (env envelope, status int, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return env, http.StatusBadRequest, errors.New("body: empty")
	}
	if rc.defect == strictFields {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&documentedEnvelope{}); err != nil {
			return env, http.StatusBadRequest, fmt.Errorf("body: %w", err)
		}
	}
	if err := json.Unmarshal(body, &env); err != nil {
		status = http.StatusBadRequest
		if rc.defect == malformedJSON500 {
			status = http.StatusInternalServerError
		}
		return env, status, fmt.Errorf("body: not a JSON envelope: %w", err)
	}
	switch {
	case env.Event == "":
		return env, http.StatusBadRequest, errors.New("body: event is missing")
	case env.Call.ID == "":
		return env, http.StatusBadRequest, errors.New("body: call.id is missing")
	case rc.defect == rejectUnknownEvent && !knownEvent(env.Event):
		return env, http.StatusBadRequest, fmt.Errorf("body: unknown event %q", env.Event)
	}
	return env, http.StatusOK, nil
}

// save stores and forwards the event. When answer is set it answers every
// outcome but success, and reports whether the caller should answer 200.
func (rc *receiver) save(w http.ResponseWriter, env envelope, body []byte, answer bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if rc.defect == rejectOutOfOrder && env.Event == "call.created" {
		if progressed, err := rc.store.Progressed(ctx, env.Call.ID); err == nil && progressed {
			if answer {
				reply(w, http.StatusConflict, "call "+env.Call.ID+" already progressed past creation")
			}
			return false
		}
	}
	isNew, err := rc.store.Save(ctx, env.Call.ID, env.Event, body)
	if err != nil {
		rc.logger.Error("store event", "error", err)
		if answer {
			reply(w, http.StatusInternalServerError, "store: temporarily unavailable")
		}
		return false
	}
	rc.logger.Info("delivery stored", "call_id", env.Call.ID, "event", env.Event, "duplicate", !isNew)
	if !isNew && rc.defect == conflictOnDuplicate {
		if answer {
			reply(w, http.StatusConflict, "duplicate event")
		}
		return false
	}
	if isNew && rc.forwarder != nil {
		rc.forward(newRecord(env.Call.ID, env.Event, body))
	}
	return true
}

// forward hands rec to the background forwarder, except with
// sync-downstream, which sends it before the answer.
func (rc *receiver) forward(rec record) {
	if rc.defect != syncDownstream {
		rc.forwarder.Forward(rec)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	if err := rc.forwarder.Send(ctx, rec); err != nil {
		rc.logger.Warn("forward failed, retrying in the background", "event_key", rec.EventKey, "error", err)
		rc.forwarder.Forward(rec)
	}
}

// reply writes {"ok":true} or {"ok":false,"error":msg}.
func reply(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status < 300 {
		_, _ = io.WriteString(w, `{"ok":true}`+"\n")
		return
	}
	b, _ := json.Marshal(struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}{false, msg})
	_, _ = w.Write(append(b, '\n'))
}
