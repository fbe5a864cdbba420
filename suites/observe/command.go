package observe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// commandTimeout bounds one run of an observing command.
const commandTimeout = 10 * time.Second

// Command observes a receiver through any program that prints its
// records, for stores the harness has no driver for: Run returns the
// program's output, a JSON array of records or one record per line (a
// JSON object, or a bare key). Records that are objects are keyed by the
// JSON pointer Key; strings are keys themselves.
type Command struct {
	// Name is what the reports and errors call the command.
	Name string
	// Run runs the command once and returns its standard output.
	Run func(ctx context.Context) ([]byte, error)
	// Key is the JSON pointer of an object record's key ("" means DefaultKey).
	Key string
}

// Shell runs line with /bin/sh -c on this machine, the --inspect-cmd
// observer; a failing command's error quotes its standard error.
func Shell(line string) func(ctx context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", line)
		cmd.Stderr = &stderr
		cmd.WaitDelay = time.Second
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(lastLine(stderr.String())))
		}
		return out, nil
	}
}

// Kind is "command".
func (c Command) Kind() string { return "command" }

// Counts runs the command and counts the records it printed per key.
func (c Command) Counts(ctx context.Context) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	out, err := c.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("inspect command %s: %w", c.Name, err)
	}
	key := c.Key
	if key == "" {
		key = DefaultKey
	}
	counts, err := countOutput(out, key)
	if err != nil {
		return nil, fmt.Errorf("inspect command %s: %w", c.Name, err)
	}
	return counts, nil
}

// countOutput reads a JSON array, or JSON objects or bare keys one a line.
func countOutput(out []byte, key string) (map[string]int, error) {
	counts := map[string]int{}
	out = bytes.TrimSpace(out)
	if bytes.HasPrefix(out, []byte("[")) {
		var records []any
		if err := json.Unmarshal(out, &records); err != nil {
			return nil, fmt.Errorf("want a JSON array of records: %w", err)
		}
		for n, rec := range records {
			k, err := recordKey(rec, key)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", n, err)
			}
			counts[k]++
		}
		return counts, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		k := line
		if strings.HasPrefix(line, "{") {
			var rec any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			var err error
			if k, err = keyIn(rec, key); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
		}
		counts[k]++
	}
	return counts, sc.Err()
}

// recordKey is an array element's key: a string is the key, anything else
// is a record with its key at pointer.
func recordKey(rec any, pointer string) (string, error) {
	if s, ok := rec.(string); ok {
		return s, nil
	}
	return keyIn(rec, pointer)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
