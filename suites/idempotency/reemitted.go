package idempotency

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
)

// laterSpecs registers the checks on events that come back with other
// bytes, or later than a short-lived cache remembers.
func laterSpecs(f *framework.Framework) {
	// idempotency.same-event-new-bytes: the same call and event delivered
	// again with other bytes (a later created_at, another status, keys in
	// another order), as when MiniVoice emits an event again, MUST be one
	// record: the key is (call ID, event), not the body.
	f.Check("idempotency.same-event-new-bytes", func(ctx ginkgo.SpecContext, c *framework.Case) {
		id := c.CallID()
		first := c.Valid("first delivery", event, id)
		xs := []framework.Delivery{first}
		for _, v := range reemissions() {
			d := first
			d.Label, d.Body = "emitted again: "+v.label, v.rewrite(first.Body)
			xs = append(xs, d)
		}
		for _, d := range xs {
			c.Send(ctx, d) // the answers are redelivery-ack's business
		}
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})

	// idempotency.delayed-redelivery: a redelivery at the contract's first
	// non-zero retry offset after the first delivery MUST NOT create a
	// second record: a dedupe cache that forgets sooner does.
	f.Check("idempotency.delayed-redelivery", func(ctx ginkgo.SpecContext, c *framework.Case) {
		wait := firstRetry(c)
		id := c.CallID()
		first, again := redelivery(c, id)
		again.Label = fmt.Sprintf("redelivery %s later, the contract's first retry offset", wait)
		c.Send(ctx, first)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		c.Send(ctx, again)
		c.ExpectRecordedOnce(ctx, framework.Key(id, event))
	})
}

// firstRetry is the first non-zero offset of x-minivoice-retry's schedule
// (a second when it has none).
func firstRetry(c *framework.Case) time.Duration {
	for _, d := range c.Retry().Schedule {
		if d > 0 {
			return d
		}
	}
	return time.Second
}

// reemission is one way an emitted-again event differs from the first.
type reemission struct {
	label   string
	rewrite func([]byte) []byte
}

// reemissions are the ways the check re-emits an event.
func reemissions() []reemission {
	return []reemission{
		{"created_at a minute later", edit(func(m map[string]any) {
			if t, err := time.Parse(time.RFC3339, fmt.Sprint(m["created_at"])); err == nil {
				m["created_at"] = t.Add(time.Minute).UTC().Format(time.RFC3339)
			}
		})},
		{"another call.status", edit(func(m map[string]any) {
			if call, ok := m["call"].(map[string]any); ok {
				call["status"] = fmt.Sprint(call["status"]) + "_updated"
			}
		})},
		{"keys in reverse order, indented", reverseKeys},
	}
}

// edit decodes a body, applies change and encodes it again.
func edit(change func(map[string]any)) func([]byte) []byte {
	return func(body []byte) []byte {
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return body
		}
		change(m)
		out, _ := json.Marshal(m)
		return out
	}
}

// reverseKeys re-encodes a body with every object's keys in reverse order
// and two-space indentation: the same JSON value, other bytes.
func reverseKeys(body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	var b bytes.Buffer
	writeReversed(&b, v, "")
	return b.Bytes()
}

func writeReversed(b *bytes.Buffer, v any, indent string) {
	m, ok := v.(map[string]any)
	if !ok {
		out, _ := json.Marshal(v)
		b.Write(out)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		name, _ := json.Marshal(k)
		fmt.Fprintf(b, "\n%s  %s: ", indent, name)
		writeReversed(b, m[k], indent+"  ")
	}
	if len(keys) > 0 {
		b.WriteString("\n" + indent)
	}
	b.WriteString("}")
}
