package target

import (
	"bytes"
	"strings"
	"sync"
)

// logLimit bounds how much of a receiver's output is kept: the tail is
// what explains a failure, and a chatty receiver must not grow the harness.
const logLimit = 64 << 10

// ring keeps the last logLimit bytes written to it; stdout and stderr of a
// started receiver both go here, safe for concurrent use.
type ring struct {
	mu  sync.Mutex
	buf []byte
}

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	if over := len(r.buf) - logLimit; over > 0 {
		r.buf = append(r.buf[:0], r.buf[over:]...)
	}
	return len(p), nil
}

// Bytes returns a copy of what is kept.
func (r *ring) Bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.buf)
}

// lastLines returns up to n final lines, with secret masked, for an error
// message that must explain why a receiver did not start.
func (r *ring) lastLines(n int, secret string) string {
	text := strings.TrimRight(string(r.Bytes()), "\n")
	if secret != "" {
		text = strings.ReplaceAll(text, secret, "[secret]")
	}
	if text == "" {
		return "(no output)"
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
