package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedReceiver answers every delivery with status and records the
// events it got.
type scriptedReceiver struct {
	status atomic.Int64
	mu     sync.Mutex
	events []string
	srv    *httptest.Server
}

func newScriptedReceiver(t *testing.T, status int) *scriptedReceiver {
	r := &scriptedReceiver{}
	r.status.Store(int64(status))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Event string }
		_ = json.NewDecoder(req.Body).Decode(&body)
		r.mu.Lock()
		r.events = append(r.events, body.Event)
		r.mu.Unlock()
		w.WriteHeader(int(r.status.Load()))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// startMockServe runs a real `mvh mock serve` process until the test ends.
func startMockServe(t *testing.T) (url string, stdout *lockedBuffer) {
	t.Helper()
	addr := loopbackAddr(t)
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	cmd := exec.Command(mvhBinary(t), "mock", "serve", "--addr", addr, "--db", ":memory:", "--time-scale", "0.001", "--token", "tok")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("mvh mock serve still running 15s after SIGINT")
		}
	})
	waitHTTP(t, "http://"+addr+"/healthz", stderr)
	return "http://" + addr, stdout
}

// mockCLI runs `mvh mock args... --mock url --token tok` in-process.
func mockCLI(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	return runMVH(t, append(append([]string{"mock"}, args...), "--mock", url, "--token", "tok")...)
}

// pollDeliveries lists deliveries until want(ds) or 20 s pass.
func pollDeliveries(t *testing.T, url string, want func([]deliveryRow) bool, args ...string) []deliveryRow {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, out, errOut := mockCLI(t, url, append([]string{"deliveries", "--json"}, args...)...)
		var got struct{ Deliveries []deliveryRow }
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("deliveries: exit %d\n%s\n%s", code, out, errOut)
		}
		if want(got.Deliveries) {
			return got.Deliveries
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries never as wanted: %+v", got.Deliveries)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type deliveryRow struct {
	ID, Event, Status string
	ResendOf          string `json:"resend_of"`
}

// TestMockCLI drives a real `mvh mock serve` process with mvh mock trigger,
// deliveries, resend --failed and call, all through the control API.
func TestMockCLI(t *testing.T) {
	url, serveOut := startMockServe(t)
	rcv := newScriptedReceiver(t, http.StatusInternalServerError)
	code, out, errOut := mockCLI(t, url, "app", "create", "--url", rcv.srv.URL+"/hook", "--secret", "whsec_minivoice_test", "--retry-schedule", "0s,1s", "--json")
	var app struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &app) != nil || app.ID == "" || strings.Contains(out, "whsec_minivoice_test") {
		t.Fatalf("app create: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = mockCLI(t, url, "trigger", "call.created", "--set", "call.id=call_cli_1")
	if code != 0 || !strings.Contains(out, "call.created") || !strings.Contains(out, "call_cli_1") {
		t.Fatalf("trigger: exit %d\n%s\n%s", code, out, errOut)
	}
	failed := pollDeliveries(t, url, func(ds []deliveryRow) bool { return len(ds) == 1 }, "--status", "failed")
	if !strings.Contains(serveOut.String(), "call.created "+failed[0].ID+" attempt 1: status 500") {
		t.Errorf("mock serve printed no line for the attempt:\n%s", serveOut)
	}

	rcv.status.Store(http.StatusOK)
	code, out, errOut = mockCLI(t, url, "resend", "--failed")
	if code != 0 || !strings.Contains(out, "resend of "+failed[0].ID) {
		t.Fatalf("resend --failed: exit %d\n%s\n%s", code, out, errOut)
	}
	pollDeliveries(t, url, func(ds []deliveryRow) bool {
		return len(ds) == 1 && ds[0].ResendOf == failed[0].ID
	}, "--status", "delivered")

	code, out, errOut = mockCLI(t, url, "call", "no-answer", "--json")
	var call struct{ Deliveries []deliveryRow }
	if code != 0 || json.Unmarshal([]byte(out), &call) != nil || len(call.Deliveries) != 2 {
		t.Fatalf("call: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = mockCLI(t, url, "deliveries", "--limit", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[1], call.Deliveries[1].ID) || !strings.HasPrefix(lines[2], call.Deliveries[0].ID) {
		t.Errorf("deliveries --limit 2: exit %d, want the call's two, newest first:\n%s", code, out)
	}

	if code, _, errOut := mockCLI(t, url, "trigger", "call.nope"); code != exitUsage || !strings.Contains(errOut, `event "call.nope": not in the catalogue`) {
		t.Errorf("unknown event: exit %d, stderr %q", code, errOut)
	}
	// update moves the application (its secret kept); delete removes it.
	moved := newScriptedReceiver(t, http.StatusOK)
	if code, out, errOut := mockCLI(t, url, "app", "update", app.ID, "--url", moved.srv.URL); code != 0 || !strings.Contains(out, moved.srv.URL+" (1 secret(s))") {
		t.Fatalf("app update: exit %d\n%s\n%s", code, out, errOut)
	}
	mockCLI(t, url, "trigger", "call.completed")
	pollDeliveries(t, url, func(ds []deliveryRow) bool { return len(ds) == 1 && ds[0].Status == "delivered" }, "--limit", "1")
	moved.mu.Lock()
	if len(moved.events) != 1 || moved.events[0] != "call.completed" {
		t.Errorf("moved receiver got %v, want the next event", moved.events)
	}
	moved.mu.Unlock()
	if code, _, errOut := mockCLI(t, url, "app", "delete", app.ID); code != 0 {
		t.Fatalf("app delete: exit %d %s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trigger", "call.created"}, "the mock has no application yet"},
		{[]string{"app", "delete", app.ID}, "application " + app.ID + ": not found"},
		{[]string{"app", "create"}, "--url: required"},
		{[]string{"trigger", "call.nope", "--app", app.ID}, `application_id "` + app.ID + `": no such application`},
		{[]string{"trigger", "call.created", "--set", "status=x"}, "--set"},
		{[]string{"resend"}, "give delivery IDs or --failed"},
		{[]string{"resend", "dlv_nope"}, "delivery dlv_nope: not found"},
		{[]string{"deliveries", "--status", "lost"}, "--status"},
	} {
		if code, _, errOut := mockCLI(t, url, tc.args...); code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 with %q", tc.args, code, errOut, tc.want)
		}
	}
	if code, _, errOut := runMVH(t, "mock", "deliveries", "--mock", "http://127.0.0.1:1"); code != exitUsage || !strings.Contains(errOut, "mock not reachable") {
		t.Errorf("no mock: exit %d, stderr %q", code, errOut)
	}
}
