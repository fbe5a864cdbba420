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

// receiver handles MiniVoice deliveries by running its steps in order.
type receiver struct {
	steps  Steps
	logger *slog.Logger
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res := rc.handle(w, r)
	if res.Step == Accepted {
		rc.logger.Info("delivery accepted", "call_id", res.Envelope.Call.ID, "event", res.Envelope.Event,
			"duplicate", res.Duplicate)
	} else {
		rc.logger.Warn("delivery refused", "step", res.Step, "status", res.Status, "reason", res.Err,
			"remote", r.RemoteAddr)
	}
	rc.steps.Answer(w, res)
}

// handle reads, verifies, parses and stores one delivery and says what the
// answer must be.
func (rc *receiver) handle(w http.ResponseWriter, r *http.Request) Result {
	body, err := rc.steps.Read(w, r)
	if err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return refused(StepRead, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", tooBig.Limit), err)
		}
		return refused(StepRead, http.StatusBadRequest, "body: unreadable", err)
	}
	// Verify the exact bytes received, before parsing: any re-encoding of the
	// JSON (key order, spacing, escapes, numbers) would change what was signed.
	if err := rc.steps.Verify(r.Header, body); err != nil {
		return refused(StepVerify, signatureStatus(err), "signature: "+err.Error(), err)
	}
	env, err := rc.steps.Parse(body)
	if err != nil {
		return refused(StepParse, http.StatusBadRequest, err.Error(), err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
	defer cancel()
	isNew, err := rc.steps.Store(ctx, env, body)
	if err != nil {
		// 5xx on purpose: the event is not safe yet, so MiniVoice must retry.
		res := refused(StepStore, http.StatusInternalServerError, "store: temporarily unavailable", err)
		res.Envelope = env
		return res
	}
	// A redelivery gets the same 2xx as the first delivery: answering 409
	// would make MiniVoice retry an event that is already safe.
	return Result{Step: Accepted, Status: http.StatusOK, Envelope: env, Duplicate: !isNew}
}

func refused(step Step, status int, msg string, err error) Result {
	return Result{Step: step, Status: status, Msg: msg, Err: err}
}

// readBody reads at most maxBody bytes of the body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
}

// parseEnvelope decodes the fields the receiver needs and insists only on
// those: event routes the payload, call.id keys it.
func parseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
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

// answer writes MiniVoice's documented answer shapes: {"ok":true}, or
// {"ok":false,"error":"..."} with the result's message.
func answer(w http.ResponseWriter, res Result) { Reply(w, res.Status, res.Msg) }

// Reply writes status with {"ok":true} for a 2xx, else {"ok":false,"error":msg}.
func Reply(w http.ResponseWriter, status int, msg string) {
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
