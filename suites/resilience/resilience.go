// Package resilience holds the checks that may break a receiver and so run
// last: an oversized body, then a final valid delivery proving the
// receiver survived everything the catalogue sent.
package resilience

import (
	"encoding/json"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/suites/framework"
)

// oversize is the body size of input.oversized.
const oversize = 5 << 20

// Specs registers input.oversized and resilience.still-serving; the caller
// registers them after every other check.
func Specs(f *framework.Framework) {
	// input.oversized: a receiver SHOULD answer a validly signed 5 MiB body
	// with 413, another 4xx or 2xx, never a 5xx or a dropped connection, and
	// SHOULD still answer the next delivery.
	f.Check("input.oversized", func(ctx ginkgo.SpecContext, c *framework.Case) {
		d := c.Valid("5 MiB body, validly signed", "call.created", c.CallID())
		d.Body, d.Expect = pad(d.Body, oversize), "2xx|4xx"
		big := c.Send(ctx, d)
		next := c.Send(ctx, c.Valid("the next delivery, which must still be answered", "call.completed", c.CallID()))
		c.ExpectAnswers(big, next)
	})

	// resilience.still-serving: after every other check a receiver MUST
	// still answer 2xx to a valid delivery.
	f.Check("resilience.still-serving", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAnswers(c.Send(ctx, c.Valid("a valid delivery after the whole catalogue", "call.created", c.CallID())))
	})
}

// pad grows a payload to size bytes with a string variable, keeping it a
// valid envelope.
func pad(body []byte, size int) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return body
	}
	m["variables"] = map[string]any{"transcript": ""}
	base, _ := json.Marshal(m)
	m["variables"] = map[string]any{"transcript": strings.Repeat("a", max(size-len(base), 0))}
	out, _ := json.Marshal(m)
	return out
}
