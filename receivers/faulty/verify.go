package main

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// verifier is signature.Verifier taken apart step by step, so that each
// signature defect can break exactly one step. With no defect it accepts and
// rejects exactly what signature.Verifier does.
type verifier struct {
	secret string
	defect string
	logger *slog.Logger
	now    func() time.Time
}

// verify checks the delivery's headers against the raw body.
func (v *verifier) verify(h http.Header, body []byte) error {
	tsHeader, sigHeader := h.Get(signature.TimestampHeader), h.Get(signature.SignatureHeader)
	if sigHeader == "" && v.defect == acceptUnsigned {
		v.logger.Warn("unsigned delivery accepted")
		return nil
	}
	if tsHeader == "" {
		return fmt.Errorf("%w %s", signature.ErrMissingHeader, signature.TimestampHeader)
	}
	if sigHeader == "" {
		return fmt.Errorf("%w %s", signature.ErrMissingHeader, signature.SignatureHeader)
	}
	ts, err := signature.ParseTimestamp(tsHeader)
	if err != nil {
		return err
	}
	if err := v.checkTime(ts); err != nil {
		return err
	}
	if v.defect == prefixCompare {
		if prefixMatch(sigHeader, signature.Compute(v.secret, ts, body)) {
			return nil
		}
		return signature.ErrNoMatch
	}
	sigs, err := v.parseHeader(sigHeader)
	if err != nil {
		return err
	}
	signed, err := v.signedBytes(body)
	if err != nil {
		return err
	}
	want, _ := hex.DecodeString(signature.Compute(v.secret, ts, signed))
	for _, got := range sigs {
		if hmac.Equal(got, want) {
			return nil
		}
	}
	if v.defect == acceptWrongSecret {
		v.logger.Warn("signature mismatch ignored (log-only mode)")
		return nil
	}
	return signature.ErrNoMatch
}

func (v *verifier) checkTime(ts int64) error {
	if v.defect == skipTimestampCheck {
		return nil
	}
	// Instants, not a duration: a far-off timestamp would saturate it.
	now, t := v.now(), time.Unix(ts, 0)
	tol := tolerance(v.defect)
	if t.Before(now.Add(-tol)) {
		return fmt.Errorf("%w: %s old", signature.ErrStaleTimestamp, now.Sub(t).Truncate(time.Second))
	}
	if t.After(now.Add(tol)) && v.defect != acceptFuture {
		return fmt.Errorf("%w: %s ahead", signature.ErrFutureTimestamp, t.Sub(now).Truncate(time.Second))
	}
	return nil
}

// parseHeader returns the v1 digests to compare.
func (v *verifier) parseHeader(header string) ([][]byte, error) {
	if v.defect == rejectUnknownScheme {
		for _, entry := range strings.Split(header, signature.Separator) {
			if !strings.HasPrefix(strings.TrimSpace(entry), signature.Version+"=") {
				return nil, fmt.Errorf("%w %s: unsupported entry %q", signature.ErrMalformedHeader, signature.SignatureHeader, entry)
			}
		}
	}
	sigs, err := signature.ParseHeader(header)
	if err != nil {
		return nil, err
	}
	if v.defect == firstSignatureOnly {
		sigs = sigs[:1]
	}
	return sigs, nil
}

// signedBytes is the body the HMAC is computed over: the raw bytes, or, with
// reserialize-body, what json.Marshal makes of them.
func (v *verifier) signedBytes(body []byte) ([]byte, error) {
	if v.defect != reserializeBody {
		return body, nil
	}
	var decoded map[string]any
	if err := json.Unmarshal(body, &decoded); err != nil {
		return nil, errNotJSON{err}
	}
	return json.Marshal(decoded)
}

// errNotJSON is a body that reserialize-body could not decode to verify it;
// it answers 400 like any malformed body.
type errNotJSON struct{ err error }

func (e errNotJSON) Error() string { return "body: not a JSON envelope: " + e.err.Error() }
