package container_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/target"
)

// TestRestartKeepsState restarts a receiver container both ways and
// checks what the crash checks rely on: the same container comes back and
// answers at its (re-resolved) URL, and what was written to the state
// volume at /state survives; the volume goes with Terminate.
func TestRestartKeepsState(t *testing.T) {
	requireDocker(t)
	dir := receiverContext(t, "reference")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := container.Run(ctx, "", container.WithDockerfile(dir), container.WithSecret(testSecret), container.WithStateVolume())
	t.Cleanup(func() { terminate(t, c) })
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if c.Volume == "" {
		t.Fatal("no state volume")
	}
	probe := []byte("written before the restarts\n")
	if err := c.CopyToContainer(ctx, probe, container.StateMount+"/probe", 0o644); err != nil {
		t.Fatal(err)
	}
	id := c.GetContainerID()
	for _, m := range []target.Mode{target.Crash, target.Graceful} {
		start := time.Now()
		url, err := c.Restart(ctx, m)
		if err != nil {
			t.Fatalf("%s restart: %v", m, err)
		}
		t.Logf("%s restart: %s", m, time.Since(start).Round(time.Millisecond))
		if c.GetContainerID() != id {
			t.Errorf("%s restart made another container", m)
		}
		if got := post(t, url, body(t, "call.created", newCallID()), testSecret); got != http.StatusOK {
			t.Errorf("after %s restart: status %d at %s, want 200", m, got, url)
		}
		rc, err := c.CopyFileFromContainer(ctx, container.StateMount+"/probe")
		if err != nil {
			t.Fatalf("after %s restart: %v", m, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != string(probe) {
			t.Errorf("after %s restart /state/probe = %q, want %q", m, got, probe)
		}
	}
	terminate(t, c)
	assertSessionGone(t, c.Session)
}
