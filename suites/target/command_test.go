package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv switches the test binary into a pretend receiver.
const helperEnv = "MVH_TARGET_HELPER"

// TestMain lets the test binary play the receiver a Command starts:
// "listen" serves on $PORT (printing its pid), "exit" prints and exits 3,
// "mute" never listens.
func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "listen":
		fmt.Printf("pid %d secret %s sink %s\n", os.Getpid(), os.Getenv("SECRET"), os.Getenv("SINK"))
		if dir := os.Getenv(StateEnv); dir != "" {
			f, _ := os.OpenFile(filepath.Join(dir, "starts"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		srv := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT")}
		go func() { _ = srv.ListenAndServe() }()
		<-ctx.Done()
		fmt.Println("terminated")
		os.Exit(0)
	case "exit":
		fmt.Println("config: missing --secret", os.Getenv("SECRET"))
		os.Exit(3)
	case "mute":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
}

func helper(mode string) Command {
	return Command{Line: os.Args[0], ReadyTimeout: 5 * time.Second,
		Env: []string{helperEnv + "=" + mode, "SECRET={secret}", "SINK={sink_url}"}}
}

func TestCommandStartStop(t *testing.T) {
	ctx := context.Background()
	r, err := helper("listen").Start(ctx, Params{Secret: "whsec_s3cret", SinkURL: "http://127.0.0.1:1/records"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.URL, "http://127.0.0.1:") || !strings.HasSuffix(r.URL, DefaultPath) {
		t.Errorf("url %s", r.URL)
	}
	if strings.Contains(r.Description, "s3cret") {
		t.Errorf("description %q leaks the secret", r.Description)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	logs := string(r.Logs())
	if !strings.Contains(logs, "secret whsec_s3cret sink http://127.0.0.1:1/records") || !strings.Contains(logs, "terminated") {
		t.Errorf("logs %q: want the expanded env and a graceful SIGTERM exit", logs)
	}
}

func TestCommandNotReady(t *testing.T) {
	for _, tc := range []struct {
		mode, want string
	}{
		{"exit", "exited"},
		{"mute", "not listening"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			c := helper(tc.mode)
			c.ReadyTimeout = 500 * time.Millisecond
			start := time.Now()
			_, err := c.Start(context.Background(), Params{Secret: "whsec_s3cret"})
			if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrNotReady saying %q", err, tc.want)
			}
			if tc.mode == "exit" && (!strings.Contains(err.Error(), "config: missing --secret [secret]") || strings.Contains(err.Error(), "s3cret")) {
				t.Errorf("error %q: want the last output lines with the secret masked", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
}

func TestCommandMissingProgram(t *testing.T) {
	_, err := Command{Line: "/nonexistent/receiver --port {port}"}.Start(context.Background(), Params{})
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("error %v, want ErrNotReady", err)
	}
}

// TestCommandStopsGroup starts a shell that leaves a child behind and
// checks that Stop ends the child too.
func TestCommandStopsGroup(t *testing.T) {
	c := helper("listen")
	c.Line = "sleep 300 & echo child $! ; exec " + os.Args[0]
	r, err := c.Start(context.Background(), Params{})
	if err != nil {
		t.Fatal(err)
	}
	var child int
	for _, line := range strings.Split(string(r.Logs()), "\n") {
		if v, ok := strings.CutPrefix(line, "child "); ok {
			child, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if child == 0 {
		t.Fatalf("no child pid in %q", r.Logs())
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(child) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(child) {
		t.Errorf("child %d survived Stop", child)
	}
}

// alive reports whether pid runs (a zombie waiting for its reaper does not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z"
}

func TestCommandURLOverride(t *testing.T) {
	c := Command{Path: "/hook"}
	vars := c.vars("4242", Params{Secret: "s"})
	if vars[VarURL] != "http://127.0.0.1:4242/hook" {
		t.Errorf("url %s", vars[VarURL])
	}
	c.URL = "http://localhost:{port}/other"
	if got := c.vars("4242", Params{})[VarURL]; got != "http://localhost:4242/other" {
		t.Errorf("url override %s", got)
	}
}

func TestCommandArgs(t *testing.T) {
	for line, want := range map[string][]string{
		"bin/reference --addr 127.0.0.1:9 --secret s": {"bin/reference", "--addr", "127.0.0.1:9", "--secret", "s"},
		"cd x && ./run":        {"/bin/sh", "-c", "cd x && ./run"},
		"node 'server.js'":     {"/bin/sh", "-c", "node 'server.js'"},
		"  spaced   command  ": {"spaced", "command"},
	} {
		if got := commandArgs(line); !slices.Equal(got, want) {
			t.Errorf("commandArgs(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{VarPort: "8081", VarSecret: "s", VarSinkURL: "http://h/records"}
	got := Expand(`run --port {port} --json '{"a":1}' --sink {sink_url} {unknown}`, vars)
	want := `run --port 8081 --json '{"a":1}' --sink http://h/records {unknown}`
	if got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if !Uses("x {sink_url}", VarSinkURL) || Uses("x {port}", VarSinkURL) {
		t.Error("Uses")
	}
}

func TestURLTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	u := "http://" + ln.Addr().String() + "/webhooks/minivoice"
	r, err := URL{URL: u}.Start(context.Background(), Params{})
	if err != nil || r.URL != u || r.Stop != nil {
		t.Errorf("url target: %+v, %v", r, err)
	}
	if _, err := (URL{URL: "127.0.0.1:8080"}).Start(context.Background(), Params{}); err == nil {
		t.Error("accepted a URL without scheme")
	}
	ln.Close()
	_, err = URL{URL: u, ReadyTimeout: 200 * time.Millisecond}.Start(context.Background(), Params{})
	if !errors.Is(err, ErrNotReady) {
		t.Errorf("nothing listening: %v, want ErrNotReady", err)
	}
}

func TestRingKeepsTail(t *testing.T) {
	var r ring
	for i := range 3 * logLimit / 10 {
		fmt.Fprintf(&r, "%09d\n", i)
	}
	b := r.Bytes()
	if len(b) != logLimit || !strings.HasSuffix(string(b), fmt.Sprintf("%09d\n", 3*logLimit/10-1)) {
		t.Errorf("ring kept %d bytes ending %q", len(b), b[len(b)-10:])
	}
	if got := r.lastLines(2, ""); strings.Count(got, "\n") != 1 {
		t.Errorf("lastLines(2) = %q", got)
	}
}
