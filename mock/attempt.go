package mock

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/redact"
)

// Limits of what an attempt keeps of the answer.
const (
	keepBody  = 4 << 10  // recorded
	drainBody = 64 << 10 // read and dropped so the connection can be reused
)

// attempt POSTs r once: signed now, with r's exact body bytes, bounded by
// the attempt timeout. hard ends only when shutdown stops waiting; an
// attempt cut short by it is classed interrupted.
func (e *Engine) attempt(hard context.Context, r record) Attempt {
	a := Attempt{DeliveryID: r.ID, ScheduledAt: r.NextAttemptAt}
	ctx, cancel := context.WithTimeout(hard, e.timeout)
	defer cancel()
	start := time.Now()
	a.StartedAt, a.SentAt = e.scheduleNow(r).UTC(), start.UTC()
	req, err := delivery.Request{URL: r.URL, Event: r.Event, Body: r.Body, Now: start, Secrets: r.secrets,
		Scheme: e.spec.Signature().Signing()}.Build(ctx)
	if err == nil {
		a.RequestHeaders = firstValues(req.Header)
	}
	switch {
	case err != nil:
		a.ErrorClass, a.Error = ClassNetwork, err.Error()
	case r.slot < r.lostAck:
		err = delivery.SendAndDrop(ctx, req)
		a.ErrorClass, a.Error = ClassLostAck, "request sent, answer dropped unread (chaos)"
		if err != nil {
			a.ErrorClass, a.Error = classify(err), err.Error()
		}
	default:
		e.post(req, &a)
	}
	a.Latency = time.Since(start)
	scrubAnswer(&a, r.secrets)
	if a.ErrorClass != "" && a.ErrorClass != ClassHTTP && hard.Err() != nil {
		a.ErrorClass, a.Error = ClassInterrupted, "engine shut down mid-attempt: "+a.Error
	}
	return a
}

// post sends req and records the answer: status, headers and the first
// 4 KiB of the body. Only a 2xx status counts as delivered.
func (e *Engine) post(req *http.Request, a *Attempt) {
	resp, err := e.client.Do(req)
	if err != nil {
		a.ErrorClass, a.Error = classify(err), err.Error()
		return
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	a.ResponseHeaders = make(map[string]string, len(resp.Header))
	for k, v := range resp.Header {
		a.ResponseHeaders[k] = strings.Join(v, ", ")
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, keepBody))
	a.ResponseBody = string(body)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainBody))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.ErrorClass, a.Error = ClassHTTP, fmt.Sprintf("status %d", resp.StatusCode)
	}
}

// scrubAnswer masks the application's secrets in what its receiver
// answered, before the attempt is stored: a receiver that echoes its
// configuration (or a debug page) must not put the secret in the outbox,
// the attempt API or the log page.
func scrubAnswer(a *Attempt, secrets []string) {
	red := redact.New(secrets, nil)
	if red.Empty() {
		return
	}
	a.ResponseBody, a.Error = red.String(a.ResponseBody), red.String(a.Error)
	for k, v := range a.ResponseHeaders {
		a.ResponseHeaders[k] = red.String(v)
	}
}

// classify names a transport error the way a receiver's author thinks of
// it: their server was slow, down, crashed mid-request or misconfigured TLS.
func classify(err error) string {
	var dns *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case isTLS(err):
		return ClassTLS
	case errors.As(err, &dns):
		return ClassDNS
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	}
	return ClassNetwork
}

func isTLS(err error) bool {
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &rec) || errors.As(err, &alert) || errors.As(err, &verify) ||
		errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "HTTP response to HTTPS client")
}

// advance applies an attempt's outcome to r: delivered on 2xx; on failure
// the next slot of the schedule, or failed when it is exhausted. An
// interrupted attempt keeps its slot and is due again at once.
func (e *Engine) advance(r *record, a *Attempt) {
	a.N = r.Attempts // counted by begin
	switch a.ErrorClass {
	case "":
		r.Status, r.NextAttemptAt = StatusDelivered, time.Time{}
		return
	case ClassInterrupted:
		r.NextAttemptAt = e.scheduleNow(*r)
	case ClassLostAck:
		r.Chaos = append(r.Chaos, fmt.Sprintf("lost-ack on attempt %d", a.N))
		fallthrough
	default:
		r.slot++
		if r.slot >= len(r.schedule) {
			r.Status, r.NextAttemptAt = StatusFailed, time.Time{}
			return
		}
		r.NextAttemptAt = e.nextAt(*r, r.slot)
	}
	next := r.NextAttemptAt
	a.NextRetryAt = &next
}

// startedNote is the outcome an attempt has until it ends: what the log
// shows when the process died (SIGKILL, a crash, a power cut) while the
// request was out.
const startedNote = "no outcome recorded: the mock stopped while this attempt was in flight"

// begin records attempt r.Attempts+1 as started, interrupted until save
// replaces it with its outcome, and counts it on the delivery, in one
// transaction before the request goes out: after a crash the history shows
// the attempt that was in flight, and the retry becomes the next attempt.
func (e *Engine) begin(ctx context.Context, r *record) error {
	r.Attempts++
	a := Attempt{DeliveryID: r.ID, N: r.Attempts, ScheduledAt: r.NextAttemptAt,
		StartedAt: e.scheduleNow(*r).UTC(), SentAt: time.Now().UTC(),
		ErrorClass: ClassInterrupted, Error: startedNote}
	if err := e.save(ctx, *r, a); err != nil {
		r.Attempts--
		return err
	}
	return nil
}

// save records the attempt (replacing its started record) and the
// delivery's new state in one transaction, so a crash never leaves an
// attempt without its outcome.
func (e *Engine) save(ctx context.Context, r record, a Attempt) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertAttempt(ctx, tx, a); err != nil {
		return err
	}
	if err := updateRecord(ctx, tx, r); err != nil {
		return err
	}
	return tx.Commit()
}

// firstValues flattens h to one value per header, as attempts record them.
func firstValues(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}
