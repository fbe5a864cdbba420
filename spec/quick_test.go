package spec

import (
	"fmt"
	"testing"
)

func TestQuick(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(s.EventNames(), s.Retry(), s.Signature())
	for _, e := range s.Events() {
		fmt.Println(e.Name, e.Inferred, s.Validate(e.Example))
	}
	fmt.Println(s.Validate([]byte(`{"event":"x","created_at":"nope","call":{"id":3},"data":{}}`)))
	b, err := s.Payload("call.created", PayloadOptions{CallID: "call_9", Set: []Override{{"call.status", "\"x\""}, {"variables.a", "1"}}})
	fmt.Println(string(b), err)
}
