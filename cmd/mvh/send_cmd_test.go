package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minivoice/mvh/mock"
	"github.com/minivoice/mvh/spec"
)

// sendReceiver answers with scripted statuses (the last repeats) and counts
// requests.
type sendReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	n        int
}

func newSendReceiver(t *testing.T, statuses ...int) *sendReceiver {
	t.Helper()
	r := &sendReceiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.mu.Lock()
		status := r.statuses[min(r.n, len(r.statuses)-1)]
		r.n++
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *sendReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func runSendCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	// Bounded: a regression that retries for hours fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = run(ctx, append([]string{"send"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func attemptLines(out string) int { return strings.Count(out, " attempt ") }

func TestSendRetriesUntilDelivered(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		code     int
		attempts int
		last     string
	}{
		{"500 twice then 200", []int{500, 500, 200}, 0, 3, "delivered 1 of 1"},
		{"always 500", []int{500}, 1, 3, "delivered 0 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := newSendReceiver(t, tt.statuses...)
			code, out, errOut := runSendCmd(t, "--to", recv.URL+"/webhooks/minivoice", "--event", "call.created",
				"--secret", "whsec_minivoice_test", "--retry-schedule", "0s,300ms,600ms")
			if code != tt.code || attemptLines(out) != tt.attempts || recv.count() != tt.attempts {
				t.Fatalf("exit %d, %d attempt lines, %d requests; want %d, %d, %d\n%s%s",
					code, attemptLines(out), recv.count(), tt.code, tt.attempts, tt.attempts, out, errOut)
			}
			if !strings.Contains(out, tt.last) || errOut != "" {
				t.Errorf("stdout %q stderr %q, want %q", out, errOut, tt.last)
			}
		})
	}
}

func TestSendRefusedIsRetriedThenFails(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	code, out, _ := runSendCmd(t, "--to", "http://"+addr+"/hook", "--event", "call.created", "--retry-schedule", "0s,50ms")
	if code != 1 || attemptLines(out) != 2 || strings.Count(out, ": refused (") != 2 {
		t.Errorf("exit %d, output:\n%s\nwant exit 1 after 2 refused attempts", code, out)
	}
}

func TestSendJSONAndScenario(t *testing.T) {
	recv := newSendReceiver(t, 200)
	code, out, errOut := runSendCmd(t, "--to", recv.URL, "--scenario", "no-answer", "--time-scale", "0.001",
		"--duplicate", "1", "--concurrent", "--lost-ack", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	events := map[string]int{}
	for _, l := range lines {
		var a attemptLine
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		events[a.Event+" "+a.Outcome+" "+a.ErrorClass]++
	}
	// The scenario is announced on stderr with its real duration.
	for _, w := range []string{"scenario no-answer: 2 events over 45s of call time, 45ms in real time at --time-scale 0.001", "+0s       call.created", "+45s      call.no_answer"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	// two events, each with a duplicate, each first attempt a lost ack
	want := map[string]int{
		"call.created retry lost-ack": 2, "call.created delivered ": 2,
		"call.no_answer retry lost-ack": 2, "call.no_answer delivered ": 2,
	}
	for k, n := range want {
		if events[k] != n {
			t.Errorf("%d lines %q, want %d; all: %v", events[k], k, n, events)
		}
	}
}

func TestSendBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "list.json")
	corrupt := filepath.Join(dir, "corrupt.db")
	locked := filepath.Join(dir, "locked.db")
	for f, body := range map[string]string{notJSON: "[1,2]", corrupt: strings.Repeat("not sqlite ", 100)} {
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := mock.Open(context.Background(), s, mock.Config{DB: locked})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	to := "http://127.0.0.1:9/hook"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --to", []string{"--event", "call.created"}, "--to"},
		{"relative URL", []string{"--to", "/hook", "--event", "call.created"}, "--to"},
		{"not http", []string{"--to", "ftp://127.0.0.1/x", "--event", "call.created"}, "--to"},
		{"port out of range", []string{"--to", "http://127.0.0.1:99999/x", "--event", "call.created"}, "port 99999"},
		{"empty --secret", []string{"--to", to, "--event", "call.created", "--secret", ""}, "--secret #1"},
		{"unknown event", []string{"--to", to, "--event", "call.exploded"}, "--event"},
		{"neither event nor scenario", []string{"--to", to}, "--event or --scenario"},
		{"unknown scenario", []string{"--to", to, "--scenario", "bridge"}, "--scenario"},
		{"malformed --set", []string{"--to", to, "--event", "call.created", "--set", "novalue"}, "--set"},
		{"override into a string", []string{"--to", to, "--event", "call.created", "--set", "call.id.x=1"}, "call.id.x"},
		{"unreadable --data-file", []string{"--to", to, "--event", "call.created", "--data-file", filepath.Join(dir, "nope.json")}, "--data-file"},
		{"--data-file not an object", []string{"--to", to, "--event", "call.created", "--data-file", notJSON}, "--data-file"},
		{"unreadable --scenario-file", []string{"--to", to, "--scenario", "x", "--scenario-file", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"bad --retry-schedule", []string{"--to", to, "--event", "call.created", "--retry-schedule", "5s,1s"}, "--retry-schedule"},
		{"non-increasing --retry-schedule", []string{"--to", to, "--event", "call.created", "--retry-schedule", "0s,300ms,300ms"}, "entry 3 (300ms) is not after entry 2 (300ms)"},
		{"bad --time-scale", []string{"--to", to, "--event", "call.created", "--time-scale", "0"}, "time-scale"},
		{"NaN --time-scale", []string{"--to", to, "--event", "call.created", "--time-scale", "NaN"}, "time-scale NaN"},
		{"infinite --time-scale", []string{"--to", to, "--event", "call.created", "--time-scale", "Inf"}, "time-scale +Inf"},
		{"too many --workers", []string{"--to", to, "--event", "call.created", "--workers", "100000000"}, "workers 100000000"},
		{"negative --duplicate", []string{"--to", to, "--event", "call.created", "--duplicate", "-1"}, "duplicate"},
		{"corrupt --db", []string{"--to", to, "--event", "call.created", "--db", corrupt}, "corrupt.db"},
		{"locked --db", []string{"--to", to, "--event", "call.created", "--db", locked}, "locked"},
		{"unknown flag", []string{"--to", to, "--event", "call.created", "--bogus"}, "--bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSendCmd(t, tt.args...)
			if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("exit %d stdout %q stderr %q; want exit 2 and one line naming %q", code, out, errOut, tt.want)
			}
		})
	}
}
