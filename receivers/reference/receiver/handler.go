package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// maxBody bounds what a delivery may weigh. MiniVoice's envelopes are a few
// KiB; reading an unbounded body would let anyone exhaust memory.
const maxBody = 1 << 20

// storeTimeout bounds a store write. It is detached from the request: once a
// delivery is verified it is stored even if the sender hangs up, because the
// sender will redeliver and the store deduplicates.
const storeTimeout = 5 * time.Second

// receiver handles MiniVoice deliveries: verify, parse, store, answer.
type receiver struct {
	verifier *signature.Verifier
	store    *store
	notify   func() // wakes the forwarder after a new event; nil without one
	logger   *slog.Logger
}

// newVerifier accepts any of secrets within signature.DefaultTolerance of
// now, either way: stale deliveries are replays, future ones are forged or
// from a broken clock, and neither is trusted.
func newVerifier(secrets []string) *signature.Verifier {
	return signature.NewVerifier(secrets...)
}

// envelope is the part of a delivery this receiver depends on. Everything
// else is kept verbatim in the stored body, so new fields and new events
// from MiniVoice never break the receiver.
type envelope struct {
	Event string `json:"event"`
	Call  struct {
		ID string `json:"id"`
	} `json:"call"`
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reply(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", maxBody))
			return
		}
		reply(w, http.StatusBadRequest, "body: unreadable")
		return
	}
	// Verify the exact bytes received, before parsing: any re-encoding of the
	// JSON (key order, spacing, escapes, numbers) would change what was signed.
	if err := rc.verifier.VerifyRequest(r.Header, body); err != nil {
		rc.logger.Warn("delivery rejected", "reason", err, "remote", r.RemoteAddr)
		reply(w, signatureStatus(err), "signature: "+err.Error())
		return
	}
	env, err := parseEnvelope(body)
	if err != nil {
		rc.logger.Warn("delivery rejected", "reason", err, "remote", r.RemoteAddr)
		reply(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
	defer cancel()
	isNew, err := rc.store.Save(ctx, env.Call.ID, env.Event, body, time.Now())
	if err != nil {
		// 5xx on purpose: the event is not safe yet, so MiniVoice must retry.
		rc.logger.Error("store event", "call_id", env.Call.ID, "event", env.Event, "error", err)
		reply(w, http.StatusInternalServerError, "store: temporarily unavailable")
		return
	}
	if isNew && rc.notify != nil {
		rc.notify()
	}
	rc.logger.Info("delivery accepted", "call_id", env.Call.ID, "event", env.Event, "duplicate", !isNew)
	// A redelivery gets the same 2xx as the first delivery: answering 409
	// would make MiniVoice retry an event that is already safe.
	reply(w, http.StatusOK, "")
}

// parseEnvelope decodes the fields the receiver needs and insists only on
// those: event routes the payload, call.id keys it.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	if len(bytes.TrimSpace(body)) == 0 {
		return env, errors.New("body: empty")
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return env, fmt.Errorf("body: not a JSON envelope: %w", err)
	}
	if env.Event == "" {
		return env, errors.New("body: event is missing")
	}
	if env.Call.ID == "" {
		return env, errors.New("body: call.id is missing")
	}
	return env, nil
}

// signatureStatus is 400 for a header that cannot be read and 401 for a
// delivery that is not authentic. Either way a 4xx: a 5xx would make the
// sender retry a request that can never succeed.
func signatureStatus(err error) int {
	if errors.Is(err, signature.ErrMalformedHeader) {
		return http.StatusBadRequest
	}
	return http.StatusUnauthorized
}

// reply writes MiniVoice's documented answer shapes: {"ok":true}, or
// {"ok":false,"error":"..."} with msg.
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
