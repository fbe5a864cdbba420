package framework

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/suites/evidence"
)

// defaultAttemptTimeout bounds one exchange when the contract names no
// attempt timeout.
const defaultAttemptTimeout = 10 * time.Second

// attemptTimeout bounds one exchange by the contract's attempt timeout:
// MiniVoice gives up on an answer slower than that, and a receiver that
// hangs must not hang the run.
func (c *Case) attemptTimeout() time.Duration {
	if d := c.f.Spec.Retry().AttemptTimeout; d > 0 {
		return d
	}
	return defaultAttemptTimeout
}

// Tolerance is the contract's timestamp tolerance, as x-minivoice-signature
// states it.
func (c *Case) Tolerance() time.Duration { return c.f.Spec.Signature().Tolerance }

// Retry is the contract's x-minivoice-retry policy.
func (c *Case) Retry() spec.RetryPolicy { return c.f.Spec.Retry() }

// Delivery is one request a check sends.
type Delivery struct {
	// Label says what it is for, in evidence and failure messages.
	Label string
	// Method defaults to POST.
	Method string
	// Event fills the X-MiniVoice-Event header; empty sends none.
	Event string
	// Body is the signed bytes; Sent, when set, is what goes out instead
	// (a tampered body).
	Body, Sent []byte
	Signed     delivery.Signing
	// Skew moves the signing time from now (a redelivery signed later).
	Skew time.Duration
	// TimestampSkew is how far the timestamp of a stale, future or skew
	// kind is from the signing time (delivery.Headers' skew).
	TimestampSkew time.Duration
	// Expect is the answer the check wants: "2xx", "4xx", "405", or
	// alternatives joined by "|".
	Expect string
	// Key is the record key of the event, by which SendUntilAccepted
	// judges acceptance; Valid fills it.
	Key string
}

// Valid is a validly signed delivery of event for callID that wants 2xx.
func (c *Case) Valid(label, event, callID string) Delivery {
	return Delivery{Label: label, Event: event, Body: c.Payload(event, callID), Signed: delivery.SignValid, Expect: "2xx",
		Key: Key(callID, event)}
}

// Send delivers d and records the exchange. A delivery that wants a 2xx
// and is shed (429, or 503 with Retry-After: a rate limit, a full queue)
// is sent again as SendUntilAccepted does, and the last exchange returned:
// backpressure is not a refusal, and MiniVoice retries it.
func (c *Case) Send(ctx context.Context, d Delivery) evidence.Exchange {
	if d.Expect != "2xx" {
		x := c.post(ctx, d)
		c.record(x, Matches(x.Expect, x))
		return x
	}
	acc := c.sendUntilAccepted(ctx, 1, []Delivery{d}, retryWindow(1))
	if acc.Shed > 0 {
		c.Notef("%s: shed %d times, then %s after %d attempts", d.Label, acc.Shed, Answer(acc.Final[0]), acc.Attempts[0])
	}
	return acc.Final[0]
}

// post delivers d once, without recording the exchange.
func (c *Case) post(ctx context.Context, d Delivery) evidence.Exchange {
	return c.exchange(ctx, d, false, func(req *http.Request) (*evidence.Response, error) {
		resp, err := c.f.Env.Client().Do(req)
		if err != nil {
			return nil, err
		}
		return responseEvidence(resp), nil
	})
}

// SendLostAck writes d and drops the connection once the receiver starts
// answering, unread: the lost acknowledgement of delivery.SendAndDrop.
func (c *Case) SendLostAck(ctx context.Context, d Delivery) evidence.Exchange {
	x := c.exchange(ctx, d, true, func(req *http.Request) (*evidence.Response, error) {
		return nil, delivery.SendAndDrop(req.Context(), req)
	})
	c.record(x, Matches(x.Expect, x))
	return x
}

// exchange builds d and hands it to send within the contract's attempt
// timeout.
func (c *Case) exchange(ctx context.Context, d Delivery, lostAck bool, send func(*http.Request) (*evidence.Response, error)) evidence.Exchange {
	x := evidence.Exchange{Label: d.Label, Expect: d.Expect, Started: time.Now(), LostAck: lostAck}
	ctx, cancel := context.WithTimeout(ctx, c.attemptTimeout())
	defer cancel()
	req, err := c.newRequest(ctx, d)
	if err == nil {
		x.Request = requestEvidence(req, d)
		x.Response, err = send(req)
	}
	x.Latency = time.Since(x.Started)
	if err != nil {
		x.Error = err.Error()
	}
	return x
}

// SendAll delivers ds with at most inFlight requests at a time, released
// together so that copies really overlap; results keep the order of ds.
func (c *Case) SendAll(ctx context.Context, inFlight int, ds []Delivery) []evidence.Exchange {
	return c.SendAllNotify(ctx, inFlight, ds, nil)
}

// SendAllNotify is SendAll calling answered (when not nil) as each
// exchange ends, from its goroutine: a crash check kills the receiver at
// the first answer, with the others still in flight.
func (c *Case) SendAllNotify(ctx context.Context, inFlight int, ds []Delivery, answered func()) []evidence.Exchange {
	out := make([]evidence.Exchange, len(ds))
	slots := make(chan struct{}, max(inFlight, 1))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			slots <- struct{}{}
			defer func() { <-slots }()
			out[i] = c.Send(ctx, d)
			if answered != nil {
				answered()
			}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// newRequest builds d with delivery.Request, so every delivery is made
// the way the mock sender makes it; a method other than POST goes out
// without a body.
func (c *Case) newRequest(ctx context.Context, d Delivery) (*http.Request, error) {
	r := delivery.Request{URL: c.f.Env.URL(), Event: d.Event, Body: d.Body,
		Signing: d.Signed, Secrets: []string{c.f.Env.Secret()}, Now: time.Now().Add(d.Skew), Skew: d.TimestampSkew,
		Scheme: c.f.Spec.Signature().Signing()}
	if d.Sent != nil {
		r.Body, r.Signed = d.Sent, d.Body
	}
	req, err := r.Build(ctx)
	if err != nil {
		return nil, err
	}
	if d.Method != "" && d.Method != http.MethodPost {
		req.Method, req.Body, req.GetBody, req.ContentLength = d.Method, http.NoBody, nil, 0
		req.Header.Del("Content-Type")
	}
	return req, nil
}

// requestEvidence records the request as it goes on the wire, and the
// bytes that were signed when they are not the ones sent (a tampered
// body); bodies are cut at evidence.BodyLimit for oversized deliveries.
func requestEvidence(req *http.Request, d Delivery) evidence.Request {
	body := d.Body
	if d.Sent != nil {
		body = d.Sent
	}
	if req.Method != http.MethodPost {
		body = nil
	}
	r := evidence.Request{Method: req.Method, URL: req.URL.String(), Headers: flatten(req.Header),
		Body: string(body), BodySize: len(body), Signed: d.Signed}
	if len(body) > evidence.BodyLimit {
		r.Body, r.Truncated = string(body[:evidence.BodyLimit]), true
	}
	if d.Sent != nil && !bytes.Equal(d.Sent, d.Body) {
		r.SignedBody = string(d.Body)
		if len(d.Body) > evidence.BodyLimit {
			r.SignedBody, r.Truncated = string(d.Body[:evidence.BodyLimit]), true
		}
	}
	return r
}

// responseEvidence reads the first evidence.BodyLimit bytes of the answer
// and drains a bounded rest so the connection can be reused.
func responseEvidence(resp *http.Response) *evidence.Response {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, evidence.BodyLimit+1))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	r := &evidence.Response{Status: resp.StatusCode, Headers: flatten(resp.Header), Body: string(body)}
	if len(body) > evidence.BodyLimit {
		r.Body, r.Truncated = string(bytes.ToValidUTF8(body[:evidence.BodyLimit], nil)), true
	}
	return r
}

func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}
