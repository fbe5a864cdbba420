// Package signature holds the checks on signature verification: what must
// be rejected (and never recorded), and the genuine deliveries a careless
// verifier rejects (rotation, unknown schemes, bytes that differ from a
// re-serialisation).
package signature

import (
	"encoding/json"

	"github.com/onsi/ginkgo/v2"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/suites/evidence"
	"github.com/minivoice/mvh/suites/framework"
)

// signedEvent is the event the signature checks deliver.
const signedEvent = "call.created"

// rejections are the deliveries a receiver MUST reject; the future
// timestamp is only a SHOULD and so not among them.
var rejections = []struct {
	id, label string
	signed    delivery.Signing
}{
	{"signature.missing", "no signature headers", delivery.SignNone},
	{"signature.wrong-secret", "signed with another secret", delivery.SignWrongSecret},
	{"signature.tampered-body", "body changed after signing", delivery.SignTampered},
	{"signature.stale-timestamp", "signed 10 minutes ago", delivery.SignStale},
}

// Specs registers the signature checks.
func Specs(f *framework.Framework) {
	// signature.missing, signature.wrong-secret, signature.tampered-body,
	// signature.stale-timestamp: a receiver MUST answer 4xx; 2xx accepts a
	// forgery and 5xx makes the sender retry it.
	for _, r := range rejections {
		f.Check(r.id, func(ctx ginkgo.SpecContext, c *framework.Case) {
			c.ExpectAnswers(c.Send(ctx, reject(c, r.label, r.signed, c.CallID())))
		})
	}

	// signature.future-timestamp: a receiver SHOULD answer 4xx to a valid
	// signature over a timestamp 10 minutes ahead.
	f.Check("signature.future-timestamp", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAnswers(c.Send(ctx, reject(c, "signed 10 minutes ahead", delivery.SignFuture, c.CallID())))
	})

	// signature.unknown-scheme: a receiver SHOULD answer 2xx when the header
	// is "v0=<garbage>,v1=<valid>", ignoring versions it does not know.
	f.Check("signature.unknown-scheme", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAnswers(c.Send(ctx, accept(c, "v0=<garbage>,v1=<valid>", delivery.SignUnknownScheme)))
	})

	// signature.rotation: a receiver MUST answer 2xx when the header carries
	// two v1 entries of which only the second is valid.
	f.Check("signature.rotation", func(ctx ginkgo.SpecContext, c *framework.Case) {
		c.ExpectAnswers(c.Send(ctx, accept(c, "v1=<other secret>,v1=<valid>", delivery.SignRotation)))
	})

	// signature.raw-body: a receiver MUST answer 2xx to valid deliveries
	// whose bytes differ from any re-serialisation of their JSON.
	f.Check("signature.raw-body", func(ctx ginkgo.SpecContext, c *framework.Case) {
		var xs []evidence.Exchange
		for _, v := range rawVariants {
			d := c.Valid(v.label, signedEvent, c.CallID())
			d.Body = v.rewrite(d.Body)
			xs = append(xs, c.Send(ctx, d))
		}
		c.ExpectAnswers(xs...)
	})

	// signature.rejected-not-recorded: a receiver MUST create no business
	// record for a delivery it must reject, whatever it answered.
	f.Check("signature.rejected-not-recorded", func(ctx ginkgo.SpecContext, c *framework.Case) {
		var keys []string
		for _, r := range rejections {
			id := c.CallID()
			c.Send(ctx, reject(c, r.label, r.signed, id)) // the answer is the other checks' business
			keys = append(keys, framework.Key(id, signedEvent))
		}
		c.ExpectNotRecorded(ctx, keys...)
	})

	edgeSpecs(f)
}

// reject builds a delivery signed the way signed says that wants 4xx.
func reject(c *framework.Case, label string, signed delivery.Signing, callID string) framework.Delivery {
	d := c.Valid(label, signedEvent, callID)
	d.Signed, d.Expect = signed, "4xx"
	if signed == delivery.SignTampered {
		d.Sent = tamper(d.Body)
	}
	return d
}

// accept builds a genuine delivery with an unusual signature header.
func accept(c *framework.Case, label string, signed delivery.Signing) framework.Delivery {
	d := c.Valid(label, signedEvent, c.CallID())
	d.Signed = signed
	return d
}

// tamper changes the variables of a payload, keeping it valid JSON with
// the same call and event, as a man in the middle would.
func tamper(body []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return append([]byte(nil), body...)
	}
	m["variables"] = map[string]any{"transfer_to": "+15559990000"}
	out, _ := json.Marshal(m)
	return out
}
