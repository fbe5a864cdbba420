package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
	"github.com/minivoice/mvh/spec/signature"
)

// Defect names. Each is one realistic receiver bug, switched on with
// --defect; with none the receiver behaves like receivers/reference.
const (
	acceptUnsigned      = "accept-unsigned"
	acceptWrongSecret   = "accept-wrong-secret"
	skipTimestampCheck  = "skip-timestamp-check"
	acceptFuture        = "accept-future"
	reserializeBody     = "reserialize-body"
	firstSignatureOnly  = "first-signature-only"
	rejectUnknownScheme = "reject-unknown-scheme"
	status500BadSig     = "status-500-on-bad-signature"
	malformedJSON500    = "malformed-json-500"
	strictFields        = "strict-fields"
	rejectUnknownEvent  = "reject-unknown-event"
	oversized500        = "oversized-500"
	get200              = "get-200"
	conflictOnDuplicate = "conflict-on-duplicate"
	noDedupe            = "no-dedupe"
	dedupeByCallID      = "dedupe-by-call-id"
	racyDedupe          = "racy-dedupe"
	rejectOutOfOrder    = "reject-out-of-order"
	syncDownstream      = "sync-downstream"
	slowAck             = "slow-ack"
	recordBeforeVerify  = "record-before-verify"
	crashOnOversized    = "crash-on-oversized"
	ackBeforeStore      = "ack-before-store"
	memoryDedupe        = "memory-dedupe"
	forwardNoRetry      = "forward-no-retry"
	volatileForward     = "volatile-forward-queue"
	lossyQueue          = "lossy-queue"
	dropFractionalTime  = "drop-fractional-time"
)

// defect documents one bug: what the receiver gets wrong, the catalogue
// check written to catch it, and how it is injected: by replacing one of
// the reference's steps. README.md carries the same table, and a test keeps
// the two equal.
type defect struct {
	Name   string
	Step   string // the reference's step it replaces
	Bug    string
	Check  string
	inject func(*faults, *receiver.Steps)
}

// defects lists every defect in catalogue order.
func defects() []defect {
	return []defect{
		{acceptUnsigned, "verify", "skips verification when X-MiniVoice-Signature is absent (\"only signed when a secret is configured\")", "signature.missing", (*faults).acceptUnsignedStep},
		{acceptWrongSecret, "verify", "a signature that matches no secret is only logged, as in a log-only rollout left on; tampered bodies pass too", "signature.wrong-secret", (*faults).acceptWrongSecretStep},
		{skipTimestampCheck, "verify", "never checks X-MiniVoice-Timestamp against the clock: replays of any age pass", "signature.stale-timestamp", (*faults).skipTimestampStep},
		{acceptFuture, "verify", "checks only that the timestamp is not too old; one far in the future passes", "signature.future-timestamp", (*faults).acceptFutureStep},
		{reserializeBody, "verify", "verifies over json.Marshal of the decoded body (sorted keys, compact) instead of the raw bytes", "signature.raw-body", (*faults).reserializeStep},
		{firstSignatureOnly, "verify", "compares only the first v1 entry of the signature header, so the new secret fails during a rotation", "signature.rotation", (*faults).firstSignatureStep},
		{rejectUnknownScheme, "verify", "treats any signature entry other than v1 as a malformed header (400)", "signature.unknown-scheme", (*faults).rejectUnknownSchemeStep},
		{status500BadSig, "answer", "answers 500 instead of 4xx to every signature failure, so the sender retries forged requests", "signature.missing", (*faults).status500BadSigStep},
		{malformedJSON500, "answer", "answers 500 when the validly signed body is not JSON (an empty body still gets 400)", "input.malformed-json", (*faults).malformedJSON500Step},
		{strictFields, "parse", "decodes with DisallowUnknownFields into the documented envelope: a new field is a 400", "input.unknown-fields", (*faults).strictFieldsStep},
		{rejectUnknownEvent, "parse", "answers 400 to an event name outside the six it knows", "input.unknown-event", (*faults).rejectUnknownEventStep},
		{oversized500, "answer", "answers 500 when the body exceeds 1 MiB", "input.oversized", (*faults).oversized500Step},
		{get200, "routes", "answers GET on the webhook path with 200 (a liveness probe on the same route)", "http.method-not-allowed", nil},
		{conflictOnDuplicate, "answer", "answers 409 to a redelivery of a stored event, so the sender keeps retrying it", "idempotency.redelivery-ack", (*faults).conflictStep},
		{noDedupe, "store", "stores and forwards every delivery: no key, so each redelivery is a new record", "idempotency.redelivery", nil},
		{dedupeByCallID, "store", "deduplicates by call.id alone: the second event of a call is dropped as a duplicate", "idempotency.distinct-events", nil},
		{racyDedupe, "store", "check-then-insert without a unique constraint, 100 ms apart: concurrent duplicates all insert", "idempotency.concurrent", (*faults).racyDedupeStep},
		{rejectOutOfOrder, "store, answer", "answers 409 to call.created once a later event of the call is stored (\"call already progressed\")", "ordering.out-of-order-ack", (*faults).rejectOutOfOrderStep},
		{syncDownstream, "store, forward", "forwards to the downstream before answering, so a slow downstream delays the ack", "ack.slow-downstream", (*faults).syncDownstreamStep},
		{slowAck, "answer", "does 1.5 s of work before every answer", "ack.latency", (*faults).slowAckStep},
		{recordBeforeVerify, "verify", "stores and forwards the event before verifying it, then still answers 401", "signature.rejected-not-recorded", (*faults).recordBeforeVerifyStep},
		{crashOnOversized, "read", "exits the process (status 1) when the body exceeds 1 MiB", "input.oversized", (*faults).crashOnOversizedStep},
		{window60s, "verify", "checks the timestamp with a hand-written 60 s window instead of the contract's 300 s", "signature.clock-skew", toleranceStep(60 * time.Second)},
		{toleranceMargin, "verify", "adds 200 s for clock drift on top of the contract's 300 s window", "signature.outside-tolerance", toleranceStep(signature.DefaultTolerance + 200*time.Second)},
		{prefixCompare, "verify", "compares the v1 value as a prefix of the expected digest: an empty or cut-short value matches", "signature.truncated", (*faults).prefixCompareStep},
		{dedupeByBody, "store", "deduplicates by the raw body's bytes (a body hash): the same event emitted again with other bytes is a new record", "idempotency.same-event-new-bytes", nil},
		{shortDedupeCache, "store", "deduplicates in an in-memory cache whose entries expire after 2 s, before the contract's first retry at 5 s", "idempotency.delayed-redelivery", cacheDedupeStep(dedupeTTL)},
		{nonASCII500, "parse, answer", "normalises call.from and call.to with an ASCII-only E.164 parser and answers 500 to anything else", "input.generated", (*faults).shapeStep},
		{missingRequired500, "parse, answer", "reads every documented property without checking it is there: a payload missing one is a 500", "input.generated-invalid", (*faults).shapeStep},
		{ackBeforeStore, "store", "answers 2xx at once and stores the event a full second later, in memory until then", "durability.crash-after-ack", (*faults).ackBeforeStoreStep},
		{memoryDedupe, "store", "remembers stored events in memory only: after a restart a redelivery is a new record", "durability.restart-redelivery", cacheDedupeStep(0)},
		{forwardNoRetry, "forward", "forwards each record once and gives up on a refused or failed POST", "downstream.flaky", (*faults).forwardNoRetryStep},
		{volatileForward, "store, forward", "stores each event durably but queues its forward in memory, sent a second after the answer: a crash or restart before then loses the record", "durability.crash-mid-burst", (*faults).volatileForwardQueueStep},
		{dropFractionalTime, "store", "acknowledges every event but stores only those whose created_at is written to the second (2026-05-29T12:00:00Z, as every example is); one with a fraction of a second is logged and dropped", "input.generated", (*faults).dropFractionalTimeStep},
		{lossyQueue, "store", "works on 12 deliveries at once, each stored and held 100 ms, and answers 2xx to one that finds them all taken without storing it", "load.burst", (*faults).lossyQueueStep},
	}
}

// checkDefect accepts "" (no defect) or a known name; the error lists the
// valid names so a typo costs one retry.
func checkDefect(name string) error {
	if name == "" {
		return nil
	}
	var names []string
	for _, d := range defects() {
		if d.Name == name {
			return nil
		}
		names = append(names, d.Name)
	}
	return fmt.Errorf("defect %q: unknown; valid: %s", name, strings.Join(names, ", "))
}

// options injects the defect into the reference receiver: Steps replaces
// the step it breaks, keeping every other step the reference's own; the
// dedupe defects also change the key the store is unique on,
// volatile-forward-queue keeps no outbox, and get-200 answers GET on the
// webhook path in front of the routes.
func options(cfg Config, logger *slog.Logger, exit func(int)) receiver.Options {
	var opts receiver.Options
	switch cfg.Defect {
	case noDedupe, racyDedupe, shortDedupeCache, memoryDedupe:
		opts.Unique = receiver.NoKey
	case dedupeByBody:
		opts.Unique = "envelope"
	case dedupeByCallID:
		opts.Unique = "call_id"
	case volatileForward:
		opts.NoOutbox = true
	case get200:
		opts.Handler = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == cfg.Path {
					receiver.Reply(w, http.StatusOK, "")
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	for _, d := range defects() {
		if d.Name == cfg.Defect && d.inject != nil {
			opts.Steps = func(ctx context.Context, st receiver.Store, s *receiver.Steps) {
				d.inject(newFaults(ctx, st, *s, cfg, logger, exit), s)
			}
		}
	}
	return opts
}
