package main

import (
	"fmt"
	"strings"
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
)

// defect documents one bug: what the receiver gets wrong and the catalogue
// check written to catch it. README.md carries the same table, and a test
// keeps the two equal.
type defect struct {
	Name  string
	Bug   string
	Check string
}

// defects lists every defect in catalogue order.
func defects() []defect {
	return []defect{
		{acceptUnsigned, "skips verification when X-MiniVoice-Signature is absent (\"only signed when a secret is configured\")", "signature.missing"},
		{acceptWrongSecret, "a signature that matches no secret is only logged, as in a log-only rollout left on; tampered bodies pass too", "signature.wrong-secret"},
		{skipTimestampCheck, "never checks X-MiniVoice-Timestamp against the clock: replays of any age pass", "signature.stale-timestamp"},
		{acceptFuture, "checks only that the timestamp is not too old; one far in the future passes", "signature.future-timestamp"},
		{reserializeBody, "verifies over json.Marshal of the decoded body (sorted keys, compact) instead of the raw bytes", "signature.raw-body"},
		{firstSignatureOnly, "compares only the first v1 entry of the signature header, so the new secret fails during a rotation", "signature.rotation"},
		{rejectUnknownScheme, "treats any signature entry other than v1 as a malformed header (400)", "signature.unknown-scheme"},
		{status500BadSig, "answers 500 instead of 4xx to every signature failure, so the sender retries forged requests", "signature.missing"},
		{malformedJSON500, "answers 500 when the validly signed body is not JSON (an empty body still gets 400)", "input.malformed-json"},
		{strictFields, "decodes with DisallowUnknownFields into the documented envelope: a new field is a 400", "input.unknown-fields"},
		{rejectUnknownEvent, "answers 400 to an event name outside the six it knows", "input.unknown-event"},
		{oversized500, "answers 500 when the body exceeds 1 MiB", "input.oversized"},
		{get200, "answers GET on the webhook path with 200 (a liveness probe on the same route)", "http.method-not-allowed"},
		{conflictOnDuplicate, "answers 409 to a redelivery of a stored event, so the sender keeps retrying it", "idempotency.redelivery-ack"},
		{noDedupe, "stores and forwards every delivery: no key, so each redelivery is a new record", "idempotency.redelivery"},
		{dedupeByCallID, "deduplicates by call.id alone: the second event of a call is dropped as a duplicate", "idempotency.distinct-events"},
		{racyDedupe, "check-then-insert without a unique constraint, 100 ms apart: concurrent duplicates all insert", "idempotency.concurrent"},
		{rejectOutOfOrder, "answers 409 to call.created once a later event of the call is stored (\"call already progressed\")", "ordering.out-of-order-ack"},
		{syncDownstream, "forwards to the downstream before answering, so a slow downstream delays the ack", "ack.slow-downstream"},
		{slowAck, "does 1.5 s of work before every answer", "ack.latency"},
		{recordBeforeVerify, "stores and forwards the event before verifying it, then still answers 401", "signature.rejected-not-recorded"},
		{crashOnOversized, "exits the process (status 1) when the body exceeds 1 MiB", "input.oversized"},
		{window60s, "checks the timestamp with a hand-written 60 s window instead of the contract's 300 s", "signature.clock-skew"},
		{toleranceMargin, "adds 200 s for clock drift on top of the contract's 300 s window", "signature.outside-tolerance"},
		{prefixCompare, "compares the v1 value as a prefix of the expected digest: an empty or cut-short value matches", "signature.truncated"},
		{dedupeByBody, "deduplicates by the raw body's bytes (a body hash): the same event emitted again with other bytes is a new record", "idempotency.same-event-new-bytes"},
		{shortDedupeCache, "deduplicates in an in-memory cache whose entries expire after 2 s, before the contract's first retry at 5 s", "idempotency.delayed-redelivery"},
		{nonASCII500, "normalises call.from and call.to with an ASCII-only E.164 parser and answers 500 to anything else", "input.generated"},
		{missingRequired500, "reads every documented property without checking it is there: a payload missing one is a 500", "input.generated-invalid"},
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
