// Command reference is a small, correct MiniVoice webhook receiver: the
// example to copy. For every delivery it
//
//  1. reads at most 1 MiB of the raw body (larger: 413),
//  2. verifies X-MiniVoice-Signature over those exact bytes before parsing
//     anything (missing, wrong, stale or future: 401; malformed header: 400),
//  3. parses only what it needs, event and call.id (malformed: 400), and
//     accepts unknown fields and unknown events,
//  4. stores the event once by (call.id, event) in SQLite or PostgreSQL, with an
//     outbox row in the same transaction,
//  5. answers 200 {"ok":true}, for a new event and for a redelivery alike,
//
// and forwards each stored event to --downstream afterwards, so slow business
// work never delays the answer MiniVoice retries on.
//
// Usage:
//
//	reference --secret whsec_... [--addr 127.0.0.1:8080] [--downstream URL | --no-forward]
//	          [--db events.db | --db postgres://...] [--path /webhooks/minivoice]
//	reference --dump-records --db events.db
//
// Environment: MVH_SECRET, DOWNSTREAM_URL, and PORT (listen on all
// interfaces at that port when --addr is not given, as containers expect).
// Exit status: 0 after a clean shutdown on SIGINT or SIGTERM, 1 when serving
// fails, 2 on bad flags or a missing secret.
package main

import "github.com/minivoice/mvh/receivers/reference/receiver"

func main() { receiver.Main(receiver.Run) }
