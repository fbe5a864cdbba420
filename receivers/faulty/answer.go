package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/minivoice/mvh/receivers/reference/receiver"
)

// slowAckDelay is slow-ack's work before each answer: 1.5 s against the
// suite's 1 s budget, far from both.
const slowAckDelay = 1500 * time.Millisecond

// The defects below replace the Read, Parse or Answer step: the reference
// decides, and the defect answers differently or refuses more.

func (f *faults) status500BadSigStep(s *receiver.Steps) {
	f.answerInstead(s, func(res receiver.Result) bool { return res.Step == receiver.StepVerify },
		http.StatusInternalServerError, "internal error")
}

// malformedJSON500Step answers 500 to a body that does not decode; an empty
// body is refused before decoding and still gets 400.
func (f *faults) malformedJSON500Step(s *receiver.Steps) {
	f.answerInstead(s, func(res receiver.Result) bool {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		return res.Step == receiver.StepParse && (errors.As(res.Err, &syntax) || errors.As(res.Err, &typ))
	}, http.StatusInternalServerError, "internal error")
}

func (f *faults) oversized500Step(s *receiver.Steps) {
	f.answerInstead(s, func(res receiver.Result) bool { return res.Status == http.StatusRequestEntityTooLarge },
		http.StatusInternalServerError, "internal error")
}

func (f *faults) conflictStep(s *receiver.Steps) {
	f.answerInstead(s, func(res receiver.Result) bool { return res.Step == receiver.Accepted && res.Duplicate },
		http.StatusConflict, "duplicate event")
}

func (f *faults) slowAckStep(s *receiver.Steps) {
	s.Answer = func(w http.ResponseWriter, res receiver.Result) {
		time.Sleep(slowAckDelay)
		f.ref.Answer(w, res)
	}
}

// answerInstead answers status with msg where when holds, else as the
// reference does.
func (f *faults) answerInstead(s *receiver.Steps, when func(receiver.Result) bool, status int, msg string) {
	s.Answer = func(w http.ResponseWriter, res receiver.Result) {
		if when(res) {
			res.Status, res.Msg = status, msg
		}
		f.ref.Answer(w, res)
	}
}

func (f *faults) crashOnOversizedStep(s *receiver.Steps) {
	s.Read = func(w http.ResponseWriter, r *http.Request) ([]byte, error) {
		body, err := f.ref.Read(w, r)
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			f.logger.Error("body larger than 1 MiB: out of memory, exiting")
			f.exit(1)
		}
		return body, err
	}
}

// documentedEnvelope is every field MiniVoice documents; strict-fields
// decodes into it and refuses anything else.
type documentedEnvelope struct {
	Event     string `json:"event"`
	CreatedAt string `json:"created_at"`
	Call      struct {
		ID             string `json:"id"`
		CustomerID     string `json:"customer_id"`
		ApplicationID  string `json:"application_id"`
		ProviderCallID string `json:"provider_call_id"`
		Status         string `json:"status"`
		Direction      string `json:"direction"`
		From           string `json:"from"`
		To             string `json:"to"`
		RouteMode      string `json:"route_mode"`
		RoutingTarget  string `json:"routing_target"`
	} `json:"call"`
	Variables map[string]any `json:"variables"`
	Data      map[string]any `json:"data"`
}

func (f *faults) strictFieldsStep(s *receiver.Steps) {
	s.Parse = func(body []byte) (receiver.Envelope, error) {
		env, err := f.ref.Parse(body)
		if err != nil {
			return env, err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&documentedEnvelope{}); err != nil {
			return env, fmt.Errorf("body: %w", err)
		}
		return env, nil
	}
}

func (f *faults) rejectUnknownEventStep(s *receiver.Steps) {
	s.Parse = func(body []byte) (receiver.Envelope, error) {
		env, err := f.ref.Parse(body)
		if err == nil && !knownEvent(env.Event) {
			return env, fmt.Errorf("body: unknown event %q", env.Event)
		}
		return env, err
	}
}

// knownEvent reports whether name is one of the six events the contract
// lists today; reject-unknown-event refuses the rest.
func knownEvent(name string) bool {
	switch name {
	case "call.created", "call.completed", "call.gathered", "call.no_answer",
		"call.recording.ready", "call.ai.completed":
		return true
	}
	return false
}
