package reporters

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec/signature"
	"github.com/minivoice/mvh/suites/evidence"
)

// transportHeaders are set by the HTTP client, not by the sender; a fixture
// leaves them to whoever replays it.
var transportHeaders = []string{"Host", "Content-Length", "User-Agent", "Accept-Encoding", "Connection", "Transfer-Encoding"}

// SaveFixtures writes the requests of every failing check as regression
// fixtures (package fixtures' format, <check-id>-<n>.json) into dir, so
// `mvh fixtures replay` reproduces the failure later and a receiver's own
// tests can keep it. A request without an expected status (its check judged
// business records) expects what its signing deserves: 4xx for a missing,
// wrong, stale, future or tampered signature, 2xx otherwise. Requests a
// fixture cannot hold exactly are left out: a body the evidence truncated,
// or an expectation that is not one status class ("2xx|4xx"). A check
// judged on business records (its evidence has records) is saved as one
// fixture, <check-id>.json, holding the whole sequence it sent in order and
// the record counts to compare, since its failure is in no single answer.
// Strings in
// run.Redact are scrubbed (run.Keep kept whole). It returns the paths written.
func SaveFixtures(dir string, rep types.Report, run Run) ([]string, error) {
	red := newRedactor(run.Redact, run.Keep)
	var fs []fixtures.Fixture
	for _, sr := range rep.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || !sr.Failed() {
			continue
		}
		c := checkOf(sr, true)
		if c.Evidence == nil {
			continue
		}
		if len(c.Evidence.Records) > 0 {
			if f, ok := sequenceOf(c, evidenceOf(sr), red); ok {
				fs = append(fs, f)
			}
			continue
		}
		n := 0
		for _, x := range c.Evidence.Exchanges {
			f, ok := fixtureOf(c, x, n+1, red)
			if ok {
				fs = append(fs, f)
				n++
			}
		}
	}
	if len(fs) == 0 {
		return nil, nil
	}
	if err := fixtures.Write(dir, fs...); err != nil {
		return nil, fmt.Errorf("save fixtures: %w", err)
	}
	paths := make([]string, len(fs))
	for i, f := range fs {
		paths[i] = filepath.Join(dir, fixtures.FileName(f))
	}
	return paths, nil
}

// fixtureOf turns one exchange of a failed check into fixture number n.
func fixtureOf(c Check, x evidence.Exchange, n int, red redactor) (fixtures.Fixture, bool) {
	r := x.Request
	kind := signing(r)
	class := statusClassOf(x.Expect)
	if x.Expect == "" {
		class = classOf(kind)
	}
	u, err := url.Parse(r.URL)
	if class == "" || !kind.Known() || err != nil || r.Truncated || r.Method == "" {
		return fixtures.Fixture{}, false
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	req := fixtures.Request{
		Method:  r.Method,
		Path:    path,
		Headers: map[string]string{},
		Body:    red.String(r.Body),
		Signing: kind,
		Now:     sentAt(x, kind),
	}
	for k, v := range r.Headers {
		if !containsFold(transportHeaders, k) {
			req.Headers[k] = red.String(v)
		}
	}
	if kind == delivery.SignTampered {
		signed, ok := signedBody(r)
		if !ok {
			signed = r.Body + " " // older evidence: any other bytes make the point, as in Reproduction
		}
		req.SignedBody = red.String(signed)
	}
	return fixtures.Fixture{
		Name:        fmt.Sprintf("%s-%d", c.ID, n),
		Description: red.String(fixtureDescription(c, x, n, class)),
		Request:     req,
		Expect:      fixtures.Expect{StatusClass: class},
	}, true
}

// fixtureDescription says which check failed and what request n got. The
// check's failure message is a statement about its requests when they were
// answered wrongly ("no signature headers: got 200, want 4xx"), so it is
// quoted only for a request answered as expected, whose check failed on
// something else (records, latency); quoting it always said the same line
// twice.
func fixtureDescription(c Check, x evidence.Exchange, n int, class string) string {
	desc := fmt.Sprintf("%s (%s) failed", c.ID, c.Level)
	if !unexpected(x) {
		desc += ": " + strings.TrimSuffix(oneLine(c, reasonWidth), ".")
	}
	desc += fmt.Sprintf(". Request %d", n)
	if x.Label != "" {
		desc += " (" + x.Label + ")"
	}
	return desc + fmt.Sprintf(": expected %s, the receiver answered %s.", class, happened(x))
}

// statusClassOf maps an expectation onto a fixture's class: "2xx" or "4xx",
// or a single 2xx/4xx status ("405"); "" for anything else.
func statusClassOf(expect string) string {
	e := strings.ToLower(strings.TrimSpace(expect))
	if e == fixtures.Class2xx || e == fixtures.Class4xx {
		return e
	}
	if n, err := strconv.Atoi(e); err == nil {
		if c := fixtures.StatusClass(n); c == fixtures.Class2xx || c == fixtures.Class4xx {
			return c
		}
	}
	return ""
}

// classOf is what a correct receiver answers a request signed as kind, for
// exchanges whose check judged records instead of statuses: 2xx when the
// signature verifies, 4xx otherwise.
func classOf(kind delivery.Signing) string {
	if kind.Verifies() {
		return fixtures.Class2xx
	}
	return fixtures.Class4xx
}

// sentAt is the receiver's clock when the request went out: the send time,
// else the timestamp header (minus the skew stale and future were signed with).
func sentAt(x evidence.Exchange, kind delivery.Signing) int64 {
	if !x.Started.IsZero() {
		return x.Started.Unix()
	}
	ts, err := strconv.ParseInt(fixtures.Header(x.Request.Headers, signature.TimestampHeader), 10, 64)
	if err != nil {
		return time.Now().Unix()
	}
	switch kind {
	case delivery.SignStale:
		return ts + int64(delivery.DefaultSkew/time.Second)
	case delivery.SignFuture:
		return ts - int64(delivery.DefaultSkew/time.Second)
	case delivery.SignSkewPast:
		return ts + int64(delivery.DefaultInsideSkew/time.Second)
	case delivery.SignSkewFuture:
		return ts - int64(delivery.DefaultInsideSkew/time.Second)
	}
	return ts
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
