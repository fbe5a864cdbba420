package spec

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzParseAndLint: a contract file of any bytes never panics the loader or
// the linter; Parse's errors name the file, and a document Lint finds
// nothing in is one Parse accepts.
func FuzzParseAndLint(f *testing.F) {
	doc := DefaultDocument()
	f.Add(doc)
	f.Add([]byte(""))
	f.Add([]byte("openapi: 3.1.0\n"))
	f.Add([]byte("webhooks: [\n"))
	f.Add(bytes.Replace(doc, []byte("tolerance: 300s"), []byte("tolerance: soon"), 1))
	f.Add(bytes.Replace(doc, []byte("call.created:"), []byte("call.created: &a\n  x: *a\n"), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, perr := Parse(ctx, "fuzz.yaml", data)
		if perr != nil && !strings.HasPrefix(perr.Error(), "load spec fuzz.yaml: ") {
			t.Fatalf("Parse = %v, not naming the file", perr)
		}
		findings := Lint(ctx, "fuzz.yaml", data)
		for _, fd := range findings {
			if fd.Line < 0 || fd.Rule == "" {
				t.Fatalf("Lint finding without rule or with line %d: %+v", fd.Line, fd)
			}
		}
		if len(findings) == 0 && perr != nil {
			t.Fatalf("Lint found nothing but Parse = %v", perr)
		}
	})
}

// FuzzParseSchedule: --retry-schedule never panics, and what it accepts
// is strictly increasing and never negative.
func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{"0s,5s,30s", "", ",", "0s,300ms,300ms", "5s,1s", "-1s", "1h,2h", "9223372036854775807ns", " 0s , 1m30s ,1h", "1e3s"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSchedule(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "retry schedule ") {
				t.Fatalf("ParseSchedule(%q) error %q lacks its prefix", s, err)
			}
			return
		}
		for i, d := range got {
			if d < 0 || (i > 0 && d <= got[i-1]) {
				t.Fatalf("ParseSchedule(%q) = %v: not increasing at entry %d", s, got, i+1)
			}
		}
	})
}

// FuzzOverride: --set path=value never panics the parser or the payload
// builder, and a payload it builds is still a JSON object of the event.
func FuzzOverride(f *testing.F) {
	for _, seed := range []string{"call.status=completed", "novalue", "=x", ".a=1", "a..b=1", "call.id.x=1", "variables.n=45", "data={\"a\":[1,2]}", "call=null", "event=call.completed", "a.b.c.d.e.f=true"} {
		f.Add(seed)
	}
	s, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := ParseOverride(in)
		if err != nil {
			return
		}
		body, err := s.Payload("call.created", PayloadOptions{CallID: "call_fuzz", Set: []Override{o}})
		if err != nil {
			return
		}
		if !bytes.HasPrefix(body, []byte("{")) {
			t.Fatalf("Payload with --set %q = %s, not a JSON object", in, body)
		}
	})
}
