package observe

import (
	"errors"
	"strings"
	"testing"
)

// FuzzKeyOf: a record of any bytes and a key pointer of any text never
// panic the key reader; a record without the key is ErrNoKey or a
// pointer/JSON error, and a key found is one the pointer names.
func FuzzKeyOf(f *testing.F) {
	for _, s := range []struct{ rec, ptr string }{
		{`{"key":"call_1:call.created"}`, DefaultKey},
		{`{"a":{"b/c":{"~":[1,2,"x"]}}}`, "/a/b~1c/~0/2"},
		{`{"a":[0,1]}`, "/a/9"},
		{`{"a":[0,1]}`, "/a/-1"},
		{`[1,2]`, "/0"},
		{`"text"`, ""},
		{`{"k":null}`, "/k"},
		{`{`, "/k"},
		{`{"k":{"n":1}}`, "k"},
	} {
		f.Add([]byte(s.rec), s.ptr)
	}
	f.Fuzz(func(t *testing.T, record []byte, pointer string) {
		key, err := KeyOf(record, pointer)
		if err != nil {
			return
		}
		if CheckPointer(pointer) != nil {
			t.Fatalf("KeyOf(%q, %q) = %q although the pointer is invalid", record, pointer, key)
		}
	})
}

// FuzzCountOutput: an inspect command's output of any bytes never panics
// the record counter, and its counts are positive.
func FuzzCountOutput(f *testing.F) {
	for _, s := range []string{
		`[{"key":"a"},{"key":"a"},{"key":"b"}]`, "a\nb\na\n", `{"key":"a"}` + "\n" + `{"key":"b"}`,
		"", "[", "[1,2]", "\n\n\n", `[{"nokey":1}]`, "{\"key\":\"a\"}\nbare\n",
	} {
		f.Add([]byte(s), DefaultKey)
	}
	f.Fuzz(func(t *testing.T, out []byte, key string) {
		counts, err := countOutput(out, key)
		if err != nil {
			if errors.Is(err, ErrNoKey) || strings.TrimSpace(err.Error()) != "" {
				return
			}
			t.Fatalf("countOutput error without text")
		}
		for k, n := range counts {
			if n <= 0 {
				t.Fatalf("countOutput(%q) counted %q %d times", out, k, n)
			}
		}
	})
}
