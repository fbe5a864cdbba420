// Package input holds the checks on what a receiver does with unusual but
// validly signed input: malformed or empty bodies, fields and events it
// does not know, and methods other than POST.
package input

import (
	"encoding/json"
	"net/http"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/suites/framework"
)

// unknownEvent is an event name no catalogue has.
const unknownEvent = "call.mvh_future_event"

// Specs registers the input checks (input.oversized is registered by
// package resilience, since it may break a receiver and so runs last).
func Specs(f *framework.Framework) {
	// input.malformed-json: a receiver MUST answer 4xx to a validly signed
	// body that is not JSON; it will never parse, so a retry is pointless.
	f.Check("input.malformed-json", func(ctx ginkgo.SpecContext, c *framework.Case) {
		d := c.Valid("truncated JSON, validly signed", "call.created", c.CallID())
		d.Body, d.Expect = d.Body[:len(d.Body)/2], "4xx"
		c.ExpectAnswers(c.Send(ctx, d))
	})

	// input.empty-body: a receiver MUST answer 4xx to a validly signed
	// empty body.
	f.Check("input.empty-body", func(ctx ginkgo.SpecContext, c *framework.Case) {
		d := c.Valid("empty body, validly signed", "call.created", c.CallID())
		d.Body, d.Expect = []byte{}, "4xx"
		c.ExpectAnswers(c.Send(ctx, d))
	})

	// input.unknown-fields: a receiver MUST answer 2xx to a payload with
	// extra top-level and nested fields.
	f.Check("input.unknown-fields", func(ctx ginkgo.SpecContext, c *framework.Case) {
		top := c.Valid("extra top-level fields", "call.created", c.CallID())
		top.Body = extend(top.Body, func(m map[string]any) {
			m["api_version"] = "2026-09-01"
			m["mvh_extra"] = map[string]any{"added_later": true}
		})
		nested := c.Valid("extra nested fields", "call.completed", c.CallID())
		nested.Body = extend(nested.Body, func(m map[string]any) {
			set(m, "call", "recording_policy", "on_demand")
			set(m, "call", "mvh_extra", map[string]any{"region": "eu-west"})
			set(m, "data", "mvh_extra", []any{1, 2, 3})
		})
		c.ExpectAnswers(c.Send(ctx, top), c.Send(ctx, nested))
	})

	// input.unknown-event: a receiver SHOULD answer 2xx to a validly signed
	// event outside the catalogue: acknowledge and ignore it.
	f.Check("input.unknown-event", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		d := c.Valid("event "+unknownEvent+" (not in the catalogue)", "call.created", id)
		d.Event = unknownEvent
		d.Body = extend(d.Body, func(m map[string]any) {
			m["event"] = unknownEvent
			set(m, "data", "event_key", framework.Key(id, unknownEvent))
		})
		c.ExpectAnswers(c.Send(ctx, d))
	})

	// http.method-not-allowed: a receiver SHOULD answer a GET of the
	// webhook path with a 4xx, not a 2xx. 405 says it best, but a router
	// that knows only POST answers 404, and one that authenticates first
	// 401: neither hides a misconfigured probe, so both pass.
	f.Check("http.method-not-allowed", func(ctx ginkgo.SpecContext, c *framework.Case) {
		d := framework.Delivery{Label: "GET of the webhook path", Method: http.MethodGet,
			Signed: delivery.SignNone, Expect: "4xx"}
		x := c.Send(ctx, d)
		if x.Response != nil && x.Response.Status != http.StatusMethodNotAllowed {
			c.Notef("answered %d; 405 with Allow: POST says it best", x.Response.Status)
		}
		c.ExpectAnswers(x)
	})

	generatedSpecs(f)
}

// extend parses a payload, lets edit change it, and encodes it again.
func extend(body []byte, edit func(map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return body
	}
	edit(m)
	out, _ := json.Marshal(m)
	return out
}

// set assigns m[object][key], creating the object when it is missing.
func set(m map[string]any, object, key string, v any) {
	o, ok := m[object].(map[string]any)
	if !ok {
		o = map[string]any{}
		m[object] = o
	}
	o[key] = v
}
