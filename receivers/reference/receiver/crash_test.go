package receiver

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/minivoice/mvh/receivers/internal/receivertest"
)

// TestMain lets the crash tests run this test binary as the receiver
// itself, so SIGKILL hits a real process without building another binary.
func TestMain(m *testing.M) {
	receivertest.RunMainIfAsked(func() { Main(Run) })
	os.Exit(m.Run())
}

// TestAckedEventsSurviveSIGKILL: every delivery answered 2xx is on disk,
// with its outbox row, before the answer. The downstream refuses
// everything until the receiver is killed with SIGKILL; restarted on the
// same state directory ($MVH_STATE_DIR, no --db), it replays the outbox at
// once and each event reaches the downstream exactly once, and a
// redelivery after the crash is still a duplicate.
func TestAckedEventsSurviveSIGKILL(t *testing.T) {
	state := t.TempDir()
	env := []string{"MVH_STATE_DIR=" + state}
	sink := receivertest.NewSink(t)
	sink.FailFirst(1 << 20)
	args := []string{"--secret", testSecret, "--addr", "127.0.0.1:0", "--downstream", sink.URL}
	p := receivertest.Start(t, env, args...)
	var want []string
	for i := range 5 {
		callID := fmt.Sprintf("call_crash_%d", i)
		if got := deliver(t, "http://"+p.Addr+testPath, envelopeJSON(callID, "call.created")); got != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, got)
		}
		want = append(want, callID+":call.created")
	}
	eventually(t, 10*time.Second, func() bool { n, _ := sink.Snapshot(); return n > 0 }) // a forward was refused
	p.Kill(t)
	if _, err := os.Stat(filepath.Join(state, "events.db")); err != nil {
		t.Fatalf("no database under $MVH_STATE_DIR: %v", err)
	}
	sink.FailFirst(0)
	began := time.Now()
	p = receivertest.Start(t, env, args...)
	eventually(t, 10*time.Second, func() bool { return len(sink.Keys()) >= len(want) })
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("records took %s after the restart: the outbox was not replayed at start", took)
	}
	if got := deliver(t, "http://"+p.Addr+testPath, envelopeJSON("call_crash_0", "call.created")); got != http.StatusOK {
		t.Fatalf("redelivery after the crash: status %d", got)
	}
	if code := p.Stop(t); code != 0 {
		t.Errorf("graceful stop: exit %d\n%s", code, p.Logs)
	}
	got := sink.Keys()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("downstream records %v, want each of %v once", got, want)
	}
}
