package target

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommandRestart restarts a started command both ways and checks what
// a receiver relies on: the same URL, a new process, the state directory
// kept across restarts (and in $MVH_STATE_DIR), a SIGTERM only for the
// graceful one, and the directory gone after Stop.
func TestCommandRestart(t *testing.T) {
	ctx := context.Background()
	c := helper("listen")
	c.Env = append(c.Env, "DIR={state_dir}")
	r, err := c.Start(ctx, Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	starts := func() []string {
		dir := strings.TrimPrefix(envOf(t, r, "DIR"), "DIR=")
		b, _ := os.ReadFile(filepath.Join(dir, "starts"))
		return strings.Fields(string(b))
	}
	for i, m := range []Mode{Crash, Graceful} {
		terminatedBefore := strings.Count(string(r.Logs()), "terminated")
		if err := r.Restart(ctx, m); err != nil {
			t.Fatalf("%s restart: %v", m, err)
		}
		if r.WebhookURL() != r.URL {
			t.Errorf("%s restart moved the receiver: %s, was %s", m, r.WebhookURL(), r.URL)
		}
		if got := starts(); len(got) != i+2 || got[i] == got[i+1] {
			t.Errorf("after %s restart the state dir saw starts %q, want %d different pids", m, got, i+2)
		}
		terminated := strings.Count(string(r.Logs()), "terminated") - terminatedBefore
		if want := map[Mode]int{Crash: 0, Graceful: 1}[m]; terminated != want {
			t.Errorf("%s restart: %d graceful exits, want %d\n%s", m, terminated, want, r.Logs())
		}
		if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(strings.TrimSuffix(r.URL, DefaultPath), "http://"), time.Second); err != nil {
			t.Errorf("%s restart: not listening: %v", m, err)
		} else {
			conn.Close()
		}
	}
	dir := strings.TrimPrefix(envOf(t, r, "DIR"), "DIR=")
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("state dir %s left after Stop: %v", dir, err)
	}
	if err := r.Restart(ctx, Crash); err == nil {
		t.Error("restart after stop succeeded")
	}
}

// envOf finds the helper's expanded DIR in its own state: the state dir
// is also in $MVH_STATE_DIR, which the helper wrote its starts under.
func envOf(t *testing.T, r *Receiver, key string) string {
	t.Helper()
	run, ok := r.Restarter.(*running)
	if !ok {
		t.Fatalf("restarter %T", r.Restarter)
	}
	for _, kv := range run.env {
		if strings.HasPrefix(kv, key+"=") {
			if !strings.Contains(kv, run.state) || !strings.Contains(strings.Join(run.env, " "), StateEnv+"="+run.state) {
				t.Errorf("env %q: want {state_dir} %s in it and in %s", kv, run.state, StateEnv)
			}
			return kv
		}
	}
	t.Fatalf("no %s in %q", key, run.env)
	return ""
}

func TestURLRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	u := "http://" + ln.Addr().String() + "/webhooks/minivoice"
	ctx := context.Background()
	r, err := URL{URL: u}.Start(ctx, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restart(ctx, Crash); !errors.Is(err, ErrNoRestart) || !strings.Contains(err.Error(), "--restart-cmd") {
		t.Errorf("restart without --restart-cmd: %v, want ErrNoRestart naming the flag", err)
	}
	dir := t.TempDir()
	r, err = URL{URL: u, RestartCmd: "echo graceful {url} >> " + dir + "/log", CrashCmd: "echo crash {secret} >> " + dir + "/log"}.
		Start(ctx, Params{Secret: "whsec_x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Mode{Graceful, Crash} {
		if err := r.Restart(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(dir + "/log"); string(b) != "graceful "+u+"\ncrash whsec_x\n" {
		t.Errorf("restart commands ran as %q", b)
	}
	r, _ = URL{URL: u, RestartCmd: "echo whsec_x; exit 3"}.Start(ctx, Params{Secret: "whsec_x"})
	if err := r.Restart(ctx, Crash); err == nil || !strings.Contains(err.Error(), "exit status 3") || strings.Contains(err.Error(), "whsec_x") {
		t.Errorf("failing restart command: %v, want its exit status and the secret masked", err)
	}
}
