package reporters

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/spec/signature"
	"github.com/minivoice/mvh/suites/evidence"
)

// Bounds of a reproduction: the requests that went wrong, or, when the
// answers were all as expected (an observation check saw duplicates), the
// check's first requests.
const (
	maxReproFailing = 3
	maxReproAll     = 5
)

// skipHeaders are set by curl itself or computed by the reproduction.
var skipHeaders = slices.Concat(transportHeaders, []string{signature.TimestampHeader, signature.SignatureHeader})

// Reproduction returns a bash snippet that re-sends a check's requests the
// way the check sent them, in the spirit of the seed's copy/paste examples:
// the exact body written with printf, signature headers from `mvh sign` with
// the secret only as $MVH_SECRET, the target as $URL (defaulting to the
// run's, whose port a --cmd run picked at random), and curl printing the
// status. It returns ""
// for a check without requests.
func Reproduction(c Check) string {
	xs := reproExchanges(c.Evidence)
	if len(xs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Reproduce %s: needs bash, curl and mvh; prints one HTTP status per request.\n", c.ID)
	if usesSecret(xs) {
		b.WriteString(`: "${MVH_SECRET:?export MVH_SECRET, the webhook secret of the receiver}"` + "\n")
	}
	url := xs[0].Request.URL
	b.WriteString("# URL defaults to where the run sent; export URL for another receiver (a --cmd run's port is gone).\n")
	fmt.Fprintf(&b, "URL=${URL:-%s}\n", shq(url))
	for i, x := range xs {
		b.WriteString("\n")
		writeStep(&b, i+1, x, url)
	}
	writeRecords(&b, c.Evidence)
	return b.String()
}

// writeRecords says what to look for in the receiver's store afterwards,
// for checks that judged business records rather than statuses.
func writeRecords(b *strings.Builder, ev *evidence.Evidence) {
	if ev == nil || len(ev.Records) == 0 {
		return
	}
	b.WriteString("\n# then count the receiver's business records:\n")
	for _, r := range ev.Records {
		fmt.Fprintf(b, "#   %s: want %s, the run saw %d\n", r.Key, orDash(r.Want), r.Count)
	}
}

// reproExchanges picks what to re-send; see maxReproFailing.
func reproExchanges(ev *evidence.Evidence) []evidence.Exchange {
	if xs := failing(ev); len(xs) > 0 {
		return xs[:min(len(xs), maxReproFailing)]
	}
	if ev == nil {
		return nil
	}
	return ev.Exchanges[:min(len(ev.Exchanges), maxReproAll)]
}

func usesSecret(xs []evidence.Exchange) bool {
	for _, x := range xs {
		if signing(x.Request) != delivery.SignNone {
			return true
		}
	}
	return false
}

// signing is the evidence's signing kind; evidence without one is "valid"
// when it carried a signature and "none" otherwise.
func signing(r evidence.Request) delivery.Signing {
	if r.Signed != "" {
		return r.Signed
	}
	if fixtures.Header(r.Headers, signature.SignatureHeader) != "" {
		return delivery.SignValid
	}
	return delivery.SignNone
}

func writeStep(b *strings.Builder, n int, x evidence.Exchange, url string) {
	r := x.Request
	label := x.Label
	if label == "" {
		label = string(signing(r)) + " signature"
	}
	if x.Expect != "" {
		fmt.Fprintf(b, "# %d. %s: expected %s, got %s\n", n, label, x.Expect, happened(x))
	} else {
		fmt.Fprintf(b, "# %d. %s: the run got %s\n", n, label, happened(x))
	}
	hasBody := r.Body != "" || r.BodySize > 0 || r.Method != http.MethodGet
	if hasBody {
		writeBody(b, "body.json", r)
	}
	sigArgs := writeSigning(b, x)
	target := `"$URL"`
	if r.URL != url {
		target = shq(r.URL)
	}
	fmt.Fprintf(b, "curl -sS -o /dev/null -w '%%{http_code}\\n' -X %s %s", r.Method, target)
	for _, k := range sortedHeaders(r.Headers) {
		fmt.Fprintf(b, " \\\n  -H %s", shq(k+": "+r.Headers[k]))
	}
	for _, a := range sigArgs {
		fmt.Fprintf(b, " \\\n  %s", a)
	}
	if hasBody {
		b.WriteString(" \\\n  --data-binary @body.json")
	}
	b.WriteString("\n")
}

// writeBody writes the exact body bytes to file; a truncated body is padded
// back to its original size with spaces, which is what size checks need.
func writeBody(b *strings.Builder, file string, r evidence.Request) {
	fmt.Fprintf(b, "%s > %s\n", printfExact(r.Body), file)
	if r.Truncated && r.BodySize > len(r.Body) {
		fmt.Fprintf(b, "# the report keeps the first %d of %d bytes; pad back to the original size\n", len(r.Body), r.BodySize)
		fmt.Fprintf(b, "head -c %d /dev/zero | tr '\\0' ' ' >> %s\n", r.BodySize-len(r.Body), file)
	}
}

// writeSigning writes the lines that make the signature headers, the way the
// check made them, and returns the curl arguments that send them.
func writeSigning(b *strings.Builder, x evidence.Exchange) []string {
	kind := signing(x.Request)
	if kind == delivery.SignNone {
		b.WriteString("# no signature headers\n")
		return nil
	}
	fmt.Fprintf(b, "ts=%s\n", timestampExpr(kind, x))
	body := "body.json"
	if kind == delivery.SignTampered {
		body = "signed.json"
		b.WriteString("# sign other bytes than the ones sent: the body was altered after signing\n")
		if signed, ok := signedBody(x.Request); ok {
			fmt.Fprintf(b, "%s > signed.json\n", printfExact(signed))
		} else {
			b.WriteString("{ cat body.json; printf ' '; } > signed.json\n")
		}
	}
	sign := fmt.Sprintf(`mvh sign --secret "$MVH_SECRET" --timestamp "$ts" --body-file %s`, body)
	switch kind {
	case delivery.SignWrongSecret:
		sign = fmt.Sprintf(`mvh sign --secret %s --timestamp "$ts" --body-file %s`, delivery.WrongSecret, body)
	case delivery.SignRotation:
		sign = fmt.Sprintf(`mvh sign --secret %s --secret "$MVH_SECRET" --timestamp "$ts" --body-file %s`, delivery.WrongSecret, body)
	case delivery.SignUnknownScheme:
		fmt.Fprintf(b, "sig=$(%s | sed -n 's/^%s: //p')\n", sign, signature.SignatureHeader)
		return []string{
			fmt.Sprintf(`-H "%s: $ts"`, signature.TimestampHeader),
			"-H " + shq(signature.SignatureHeader+": "+foreignEntries(x.Request)) + `"$sig"`,
		}
	case delivery.SignEmpty, delivery.SignTruncated:
		fmt.Fprintf(b, "sig=$(%s | sed -n 's/^%s: //p')\n", sign, signature.SignatureHeader)
		cut := "${sig%%????????????????????????????????}" // the digest's second half dropped
		if kind == delivery.SignEmpty {
			cut = signature.Version + "="
		}
		return []string{fmt.Sprintf(`-H "%s: $ts"`, signature.TimestampHeader), fmt.Sprintf(`-H "%s: %s"`, signature.SignatureHeader, cut)}
	}
	fmt.Fprintf(b, "%s > headers.txt\n", sign)
	return []string{"-H @headers.txt"}
}

// signedBody is what a tampered request was signed over, as the evidence
// recorded it; ok is false for evidence from before signed_body existed,
// where any other bytes than the body make the same point.
func signedBody(r evidence.Request) (string, bool) {
	return r.SignedBody, r.SignedBody != "" && r.SignedBody != r.Body
}

// timestampExpr is the shell expression for the signing time: now, or as far
// from the send time as the check's timestamp was.
func timestampExpr(kind delivery.Signing, x evidence.Exchange) string {
	def := int(delivery.DefaultSkew / time.Second)
	skew := 0
	inside := int(delivery.DefaultInsideSkew / time.Second)
	switch kind {
	case delivery.SignStale:
		skew = -skewOf(x, def)
	case delivery.SignFuture:
		skew = skewOf(x, def)
	case delivery.SignSkewPast:
		skew = -skewOf(x, inside)
	case delivery.SignSkewFuture:
		skew = skewOf(x, inside)
	}
	switch {
	case skew < 0:
		return fmt.Sprintf("$(( $(date +%%s) - %d ))", -skew)
	case skew > 0:
		return fmt.Sprintf("$(( $(date +%%s) + %d ))", skew)
	}
	return "$(date +%s)"
}

// skewOf is |timestamp header - send time| in seconds, or def when either
// is unknown.
func skewOf(x evidence.Exchange, def int) int {
	ts, err := strconv.ParseInt(fixtures.Header(x.Request.Headers, signature.TimestampHeader), 10, 64)
	if err != nil || x.Started.IsZero() {
		return def
	}
	d := time.Unix(ts, 0).Sub(x.Started).Round(time.Second)
	if d < 0 {
		d = -d
	}
	if d < time.Second {
		return def
	}
	return int(d / time.Second)
}

// foreignEntries are the non-v1 entries of the signature header as sent
// (the v0=<garbage> of unknown-scheme), kept literally and followed by a
// separator for the fresh v1 entry.
func foreignEntries(r evidence.Request) string {
	var out string
	for _, e := range strings.Split(fixtures.Header(r.Headers, signature.SignatureHeader), signature.Separator) {
		e = strings.TrimSpace(e)
		if v, _, _ := strings.Cut(e, "="); e != "" && v != signature.Version {
			out += e + signature.Separator
		}
	}
	return out
}

// sortedHeaders lists the headers the reproduction copies, in a stable order.
func sortedHeaders(h map[string]string) []string {
	var keys []string
	for k := range h {
		if !containsFold(skipHeaders, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
