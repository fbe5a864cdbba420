package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/minivoice/mvh/delivery"
	"github.com/minivoice/mvh/fixtures"
	"github.com/minivoice/mvh/mock/server"
	"github.com/minivoice/mvh/spec/signature"
)

// ForwardResult is what the user's receiver answered a forwarded delivery.
type ForwardResult struct {
	Status  int           `json:"status,omitempty"`
	Latency time.Duration `json:"latency"`
	Error   string        `json:"error,omitempty"`
	// Body and ContentType are the target's answer (the first 64 KiB),
	// relayed to the sender unless AckAlways.
	Body        []byte `json:"-"`
	ContentType string `json:"-"`
}

// answer is the status the sender gets for a forwarded delivery: the
// target's, or 502 Bad Gateway when it could not be reached.
func (f ForwardResult) answer() int {
	if f.Error != "" {
		return http.StatusBadGateway
	}
	return f.Status
}

// relay answers the sender what the forward target answered.
func relay(w http.ResponseWriter, status int, f *ForwardResult) {
	if f.Error != "" {
		server.WriteJSON(w, status, server.Refusal{Error: "forward " + f.Error})
		return
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(f.Body)
}

// forward replays the delivery to target with the same headers and the exact
// body bytes, so the user's receiver sees what the sender signed.
func forward(ctx context.Context, client *http.Client, target string, h http.Header, body []byte) ForwardResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return ForwardResult{Error: target + ": " + err.Error()}
	}
	for k, vs := range h {
		if hopByHop(k) {
			continue
		}
		req.Header[k] = append([]string(nil), vs...)
	}
	start := time.Now()
	resp, err := client.Do(req)
	res := ForwardResult{Latency: time.Since(start)}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // not "Post \"<target>\": ..." after the target again
		}
		res.Error = target + ": " + err.Error()
		return res
	}
	res.Body, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res.Status, res.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	return res
}

// hopByHop names headers that describe one connection, not the delivery.
func hopByHop(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Accept-Encoding":
		return true
	}
	return false
}

// print writes the delivery's line, then indented detail for what failed.
// The caller holds in.mu.
func (in *Inbox) print(rep Report) {
	if in.cfg.PrintJSON {
		enc := json.NewEncoder(in.cfg.Out)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rep) // one line per delivery; a broken terminal is no reason to stop
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s", rep.Time.Format("15:04:05.000"), rep.Event, rep.CallID, verdict(rep))
	if f := rep.Forward; f != nil {
		if f.Error != "" {
			fmt.Fprintf(&b, " · forward failed: %s", f.Error)
		} else {
			fmt.Fprintf(&b, " · forward %d (%s)", f.Status, f.Latency.Round(time.Millisecond))
		}
	}
	if rep.Saved != "" {
		fmt.Fprintf(&b, " · saved %s", rep.Saved)
	}
	if rep.SaveError != "" {
		fmt.Fprintf(&b, " · not saved: %s", rep.SaveError)
	}
	b.WriteByte('\n')
	for _, l := range rep.Signature.Detail() {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(&b, "    schema %s\n", v)
	}
	_, _ = io.WriteString(in.cfg.Out, b.String())
}

func verdict(rep Report) string {
	schema := "schema valid"
	if n := len(rep.Violations); n > 0 {
		schema = fmt.Sprintf("%d schema violation(s)", n)
	}
	if rep.Status/100 != 2 {
		return fmt.Sprintf("REJECTED %d · %s · %s", rep.Status, rep.Signature.Reason, schema)
	}
	return fmt.Sprintf("accepted %d · %s · %s", rep.Status, rep.Signature.Reason, schema)
}

// saveFixture writes the delivery as a fixture a receiver's own tests can
// replay: its exact body and signature headers, the inbox's clock as the
// fixture's "now", and the signing kind the diagnosis found, all read
// with the contract's scheme sc (its header names).
func saveFixture(dir string, seq int, r *http.Request, body []byte, rep Report, sc signature.Scheme) (string, error) {
	kind, signed := signingOf(r.Header, rep.Signature, sc)
	f := fixtures.Fixture{
		Name:        fixtureName(rep, seq),
		Description: fmt.Sprintf("%s for %s received by mvh listen at %s: %s", rep.Event, rep.CallID, rep.Time.UTC().Format(time.RFC3339), rep.Signature.Reason),
		Request: fixtures.Request{
			Method:     http.MethodPost,
			Path:       r.URL.Path,
			Headers:    savedHeaders(r.Header, sc),
			Body:       string(body),
			SignedBody: signed,
			Signing:    kind,
			Now:        rep.Time.Unix(),
		},
		Expect: fixtures.Expect{StatusClass: fixtures.Class4xx},
	}
	if kind == delivery.SignValid && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		f.Expect.StatusClass = fixtures.Class2xx
	}
	if err := fixtures.Write(dir, f); err != nil {
		return "", fmt.Errorf("save %s: %w", dir, err)
	}
	return filepath.Join(dir, f.Name+".json"), nil
}

// signingOf maps a diagnosis onto the fixture kinds, so a replay re-signs the
// delivery the way it arrived. A delivery the inbox could not verify (no
// --secret) but that carries a signature is saved as valid.
func signingOf(h http.Header, d Diagnosis, sc signature.Scheme) (delivery.Signing, string) {
	switch {
	case h.Get(sc.TimestampHeader) == "" && h.Get(sc.SignatureHeader) == "":
		return delivery.SignNone, ""
	case !d.Checked || d.Valid:
		return delivery.SignValid, ""
	case d.signedBody != nil:
		return delivery.SignTampered, string(d.signedBody)
	case d.errIs(signature.ErrStaleTimestamp):
		return delivery.SignStale, ""
	case d.errIs(signature.ErrFutureTimestamp):
		return delivery.SignFuture, ""
	}
	return delivery.SignWrongSecret, ""
}

// savedHeaders keeps the headers a replay needs: the content type and the
// scheme's (MiniVoice's X-MiniVoice-* by default), first value each, spelled
// as the scheme spells them (Go's canonical form lowercases "MiniVoice").
func savedHeaders(h http.Header, sc signature.Scheme) map[string]string {
	names := []string{"Content-Type", sc.TimestampHeader, sc.SignatureHeader, sc.EventHeader}
	out := map[string]string{}
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		for _, name := range names {
			if strings.EqualFold(k, name) {
				out[name] = vs[0]
			}
		}
	}
	return out
}

func fixtureName(rep Report, seq int) string {
	raw := fmt.Sprintf("listen-%s-%04d-%s-%s", rep.Time.UTC().Format("20060102T150405"), seq, rep.Event, rep.CallID)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, raw)
	if len(name) > 128 {
		name = name[:128]
	}
	return name
}
