package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// buildMvh builds the mvh binary, static as `make build` does, in mvh's
// own module (so with its dependencies, never this module's vegeta).
func buildMvh(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "mvh")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/mvh")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build mvh: %v\n%s", err, out)
	}
	return bin
}

// Target: `mvh mock serve` holding 100,000 pending deliveries stays within
// 150 MiB of RSS. Each event is enqueued with rssCopies concurrent
// duplicates (its own ID, row and timer each, as any delivery), so the
// control API's contract validation does not make the enqueueing take
// minutes on a shared 2-core machine.
const (
	rssPending = 100_000
	rssCopies  = 4
)

// BenchmarkMockServe100kPending starts `mvh mock serve` on a file outbox,
// enqueues rssPending events through its control API (due in an hour, so
// all stay pending) and reads the process's resident set from /proc.
func BenchmarkMockServe100kPending(b *testing.B) {
	bin := buildMvh(b)
	addr := freeAddr(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "mock", "serve", "--db", filepath.Join(b.TempDir(), "mock.db"), "--addr", addr)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := "http://" + addr
	waitUp(b, base+"/healthz")
	var app struct{ ID string }
	post(b, base+"/v1/applications", fmt.Sprintf(`{"webhook_url":"http://127.0.0.1:9/webhooks/minivoice","webhook_secret":"whsec_minivoice_test",`+
		`"chaos":{"duplicate":%d,"concurrent":true}}`, rssCopies), &app)
	pending := 0
	for b.Loop() {
		pending += enqueue(b, base, app.ID, rssPending/(rssCopies+1))
	}
	if pending < rssPending {
		b.Fatalf("%d deliveries pending, want %d", pending, rssPending)
	}
	rss, peak := memory(b, cmd.Process.Pid)
	b.ReportMetric(rss, "rss-MiB")
	b.ReportMetric(peak, "peak-rss-MiB")
	b.ReportMetric(float64(pending), "pending")
}

// enqueue posts n events from 8 clients at once and returns how many
// deliveries the mock says it created.
func enqueue(b *testing.B, base, app string, n int) int {
	var next, failed, created atomic.Int64
	var wg sync.WaitGroup
	body := fmt.Sprintf(`{"application_id":%q,"event":"call.created","delay":"1h"}`, app)
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				var out struct{ Deliveries []struct{ Status string } }
				resp, err := http.Post(base+"/v1/events", "application/json", strings.NewReader(body))
				if err != nil {
					failed.Add(1)
					continue
				}
				if resp.StatusCode/100 != 2 || json.NewDecoder(resp.Body).Decode(&out) != nil {
					failed.Add(1)
				}
				resp.Body.Close()
				for _, d := range out.Deliveries {
					if d.Status == "pending" {
						created.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d enqueues failed", failed.Load(), n)
	}
	return int(created.Load())
}

// memory reads VmRSS and VmHWM (peak) of pid, in MiB.
func memory(b *testing.B, pid int) (rss, peak float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		switch {
		case err != nil:
		case name == "VmRSS":
			rss = kb / 1024
		case name == "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// BenchmarkCatalogue runs `mvh conform --demo` (the whole catalogue
// against the bundled reference receiver) and reports its wall time next
// to the sum of its checks' own durations.
func BenchmarkCatalogue(b *testing.B) {
	bin := buildMvh(b)
	var wall, checks time.Duration
	var n int
	for b.Loop() {
		start := time.Now()
		var out, errs bytes.Buffer
		cmd := exec.Command(bin, "conform", "--demo", "--json")
		cmd.Stdout, cmd.Stderr = &out, &errs
		if err := cmd.Run(); err != nil {
			b.Fatalf("mvh conform --demo: %v\n%s", err, errs.String())
		}
		wall += time.Since(start)
		var rep struct {
			Checks []struct {
				Status     string `json:"status"`
				DurationMS int64  `json:"duration_ms"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			b.Fatalf("report: %v", err)
		}
		for _, c := range rep.Checks {
			checks += time.Duration(c.DurationMS) * time.Millisecond
		}
		n = len(rep.Checks)
	}
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
	b.ReportMetric(checks.Seconds()/float64(b.N), "checks-s")
	b.ReportMetric(float64(n), "checks")
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitUp polls url until it answers 200, for up to 30 s.
func waitUp(b *testing.B, url string) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	b.Fatalf("%s not up within 30 s", url)
}

func post(b *testing.B, url, body string, into any) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b.Fatalf("POST %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		b.Fatal(err)
	}
}
