package matrix

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// restartChecks are the checks that restart the receiver.
const restartChecks = "durability.crash-after-ack,durability.restart-redelivery,durability.crash-mid-burst"

// restartScript starts, stops (TERM) or kills (KILL) a reference receiver
// the test runs itself, as a user's --restart-cmd would: it ends the
// running one, waits (bounded) until it is gone, and starts it again in
// the background with the same database.
const restartScript = `#!/bin/sh
set -e
if [ "$1" != start ]; then
	pid=$(cat %[1]s/pid)
	kill -"$1" "$pid" || true
	i=0
	# gone, or a zombie whose threads have all exited (a zombie leader
	# with threads left still holds the listening socket)
	while [ -e /proc/"$pid" ] && { ! grep -q ') Z' /proc/"$pid"/stat 2>/dev/null || [ "$(ls /proc/"$pid"/task 2>/dev/null | wc -l)" -gt 1 ]; } && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i+1))
	done
fi
%[2]s --addr %[3]s --secret %[4]s --downstream http://%[5]s/records --db %[1]s/events.db >>%[1]s/log 2>&1 &
echo $! > %[1]s/pid
`

// urlRestartCmd, a part of TestMatrix that reuses its binaries: a --url
// receiver has its durability checks skipped, with the reason, until
// --restart-cmd (and --crash-cmd) say how to restart it; then they run,
// and the reference passes them.
func urlRestartCmd(t *testing.T, bins binaries) {
	dir := t.TempDir()
	addr, sinkAddr := freeAddr(t), freeAddr(t)
	secret := "whsec_minivoice_test"
	script := filepath.Join(dir, "restart.sh")
	body := fmt.Sprintf(restartScript, dir, bins.path("reference"), addr, secret, sinkAddr)
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/bin/sh", script, "start").CombinedOutput(); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	base := []string{"--json", "--settle", "3s", "--url", "http://" + addr + "/webhooks/minivoice", "--secret", secret,
		"--sink-addr", sinkAddr, "--only", restartChecks}
	skipped := mvhConform(bins, base)
	if skipped.exit != 0 || skipped.skipped != 3 {
		t.Fatalf("without --restart-cmd: exit %d, %d skipped, want 0 and 3\n%s", skipped.exit, skipped.skipped, skipped.stderr)
	}
	for id, why := range skipped.skips {
		if !strings.Contains(why, "--restart-cmd") {
			t.Errorf("%s skipped with %q, want the reason naming --restart-cmd", id, why)
		}
	}
	ran := mvhConform(bins, append(base, "--restart-cmd", "/bin/sh "+script+" TERM", "--crash-cmd", "/bin/sh "+script+" KILL"))
	if ran.exit != 0 || ran.passed != 3 {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Errorf("with --restart-cmd: exit %d, %d passed, failed %v, want 0 and 3\n%s\nreceiver log:\n%s", ran.exit, ran.passed, ran.failed, ran.stderr, log)
	}
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
