package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
	"github.com/minivoice/mvh/spec/signature"
)

// The signature defects replace the Verify step. Each delegates to the
// reference's verifier (spec/signature) and breaks one thing: which headers
// it looks at, which error it forgives, the clock, or the bytes it hashes.

func (f *faults) acceptUnsignedStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		if h.Get(signature.SignatureHeader) == "" {
			f.logger.Warn("unsigned delivery accepted")
			return nil
		}
		return f.ref.Verify(h, body)
	}
}

func (f *faults) acceptWrongSecretStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		err := f.ref.Verify(h, body)
		if errors.Is(err, signature.ErrNoMatch) {
			f.logger.Warn("signature mismatch ignored (log-only mode)")
			return nil
		}
		return err
	}
}

func (f *faults) skipTimestampStep(s *receiver.Steps) { s.Verify = f.verifyAnyTime }

func (f *faults) acceptFutureStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		err := f.ref.Verify(h, body)
		if errors.Is(err, signature.ErrFutureTimestamp) {
			return f.verifyAnyTime(h, body)
		}
		return err
	}
}

// verifyAnyTime verifies with a clock that reads the delivery's own
// timestamp, so no timestamp is ever too old or too new.
func (f *faults) verifyAnyTime(h http.Header, body []byte) error {
	ts, err := signature.ParseTimestamp(h.Get(signature.TimestampHeader))
	if err != nil {
		return f.ref.Verify(h, body)
	}
	v := signature.Verifier{Secrets: f.secrets, Now: func() time.Time { return time.Unix(ts, 0) }}
	return v.VerifyRequest(h, body)
}

// reserializeStep verifies over json.Marshal of the decoded body; a body
// that does not decode is verified as it is, and Parse refuses it.
func (f *faults) reserializeStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		var decoded map[string]any
		if json.Unmarshal(body, &decoded) != nil {
			return f.ref.Verify(h, body)
		}
		again, err := json.Marshal(decoded)
		if err != nil {
			return fmt.Errorf("body: %w", err)
		}
		return f.ref.Verify(h, again)
	}
}

// firstSignatureStep hands the verifier only the first v1 entry.
func (f *faults) firstSignatureStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		for _, entry := range strings.Split(h.Get(signature.SignatureHeader), signature.Separator) {
			if strings.HasPrefix(strings.TrimSpace(entry), signature.Version+"=") {
				h = h.Clone()
				h.Set(signature.SignatureHeader, entry)
				break
			}
		}
		return f.ref.Verify(h, body)
	}
}

func (f *faults) rejectUnknownSchemeStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		header := h.Get(signature.SignatureHeader)
		for _, entry := range strings.Split(header, signature.Separator) {
			if header != "" && !strings.HasPrefix(strings.TrimSpace(entry), signature.Version+"=") {
				return fmt.Errorf("%w %s: unsupported entry %q", signature.ErrMalformedHeader, signature.SignatureHeader, entry)
			}
		}
		return f.ref.Verify(h, body)
	}
}

// recordBeforeVerifyStep parses and stores (and so forwards) the delivery
// before verifying it; the answer is still the verifier's.
func (f *faults) recordBeforeVerifyStep(s *receiver.Steps) {
	s.Verify = func(h http.Header, body []byte) error {
		if env, err := f.ref.Parse(body); err == nil {
			if _, err := f.ref.Store(f.ctx, env, body); err != nil {
				f.logger.Error("store before verify", "error", err)
			}
		}
		return f.ref.Verify(h, body)
	}
}
