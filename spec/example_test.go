package spec_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/minivoice/mvh/spec"
)

// ExampleSpec_Payload: Payload builds a delivery body from an event's
// example; the call ID also moves data.event_key, and overrides take dotted
// paths with JSON values.
func ExampleSpec_Payload() {
	s, err := spec.Default()
	if err != nil {
		panic(err)
	}
	body, err := s.Payload("call.completed", spec.PayloadOptions{
		CallID:    "call_42",
		CreatedAt: time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC),
		Set:       []spec.Override{{Path: "variables.attempt", Value: "2"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))
	// Output:
	// {"call":{"application_id":"app_123","customer_id":"cust_123","direction":"inbound","from":"+15551230001","id":"call_42","status":"completed","to":"+15551230002"},"created_at":"2026-06-01T09:30:00Z","data":{"event_key":"call_42:call.completed"},"event":"call.completed","variables":{"attempt":2}}
}

// ExampleSpec_Validate: Validate returns every violation at once, each
// located by a JSON pointer.
func ExampleSpec_Validate() {
	s, err := spec.Default()
	if err != nil {
		panic(err)
	}
	body := `{"event":"call.created","created_at":"2026-05-29T14:00:00+02:00",
	  "call":{"id":"call_1","customer_id":"c","application_id":"a","status":"ringing",
	          "direction":"sideways","from":"+1","to":"+2"},
	  "variables":{},"data":{}}`
	for _, v := range s.Validate([]byte(body)) {
		fmt.Println(v)
	}
	// Output:
	// /call/direction: value is not one of the allowed values ["inbound","outbound"]
	// /created_at: string doesn't match the regular expression "Z$"
	// /data/event_key: property "event_key" is missing
}

// ExampleSpec_Events: Events lists the catalogue; inferred events are
// implied, not documented, by MiniVoice's public page.
func ExampleSpec_Events() {
	s, err := spec.Default()
	if err != nil {
		panic(err)
	}
	for _, e := range s.Events() {
		status := "documented"
		if e.Inferred {
			status = "inferred"
		}
		fmt.Println(e.Name, status)
	}
	// Output:
	// call.ai.completed inferred
	// call.completed documented
	// call.created documented
	// call.gathered inferred
	// call.no_answer inferred
	// call.recording.ready inferred
}

// ExampleLint: Lint locates problems by line, as `mvh spec lint` prints them.
func ExampleLint() {
	doc := strings.Replace(string(spec.DefaultDocument()), "jitter: 0.1", "jitter: lots", 1)
	for _, f := range spec.Lint(context.Background(), "mine.yaml", []byte(doc)) {
		fmt.Println(f)
	}
	// Output:
	// mine.yaml:32: x-minivoice-retry: x-minivoice-retry jitter must be a number in [0, 1)
}

// ExampleSpec_Generate: generated payloads are reproducible from a seed,
// valid against the contract, and keyed by the call ID given.
func ExampleSpec_Generate() {
	s, _ := spec.Default()
	g, _ := s.Generate("call.created", 42, 0, "call_example")
	again, _ := s.Generate("call.created", 42, 0, "call_example")
	fmt.Println(string(g.Body) == string(again.Body), len(s.Validate(g.Body)))
	// Output: true 0
}
