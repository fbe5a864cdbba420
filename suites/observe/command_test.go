package observe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return "cat " + p
	}
	ctx := context.Background()
	for _, c := range []struct {
		name, line string
		want       map[string]int
	}{
		{"array", write("a.json", `[{"event_key":"a"},{"event_key":"b"},"a"]`), map[string]int{"a": 2, "b": 1}},
		{"json lines", write("l.jsonl", "{\"event_key\":\"a\"}\n\n{\"event_key\":\"a\"}\n"), map[string]int{"a": 2}},
		{"bare keys", write("k.txt", "c1:call.created\nc2:call.created\n"), map[string]int{"c1:call.created": 1, "c2:call.created": 1}},
		{"nothing", "true", map[string]int{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Command{Name: c.name, Run: Shell(c.line)}.Counts(ctx)
			if err != nil || len(got) != len(c.want) {
				t.Fatalf("counts %v, %v; want %v", got, err, c.want)
			}
			for k, n := range c.want {
				if got[k] != n {
					t.Errorf("%s: %d records, want %d", k, got[k], n)
				}
			}
		})
	}
	_, err := Command{Name: "no key", Run: Shell(write("n.jsonl", `{"id":"a"}`))}.Counts(ctx)
	if !errors.Is(err, ErrNoKey) {
		t.Errorf("records without the key: %v, want ErrNoKey", err)
	}
	_, err = Command{Name: "fails", Run: Shell("echo cannot reach the store >&2; exit 3")}.Counts(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the store") {
		t.Errorf("failing command: %v, want its stderr quoted", err)
	}
}
