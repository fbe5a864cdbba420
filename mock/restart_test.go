package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

const (
	restartDeliveries = 1000
	restartSecret     = "whsec_restart_test"
	// restartScale compresses the schedule below: 40 attempts 20s apart
	// (schedule time) become 1s apart, a 40s window in which the receiver
	// comes back.
	restartScale = "0.05"
)

// TestRestartAfterSIGKILL proves the outbox is durable: 1,000 deliveries
// accepted by a real `mvh mock serve` process while the receiver is down
// survive a SIGKILL mid-run and all arrive once the process restarts on the
// same database and the receiver is up. Duplicates are allowed (at least
// once) and counted; a single loss fails the test.
func TestRestartAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the mvh binary")
	}
	start := time.Now()
	dir := t.TempDir()
	bin := restartBuild(t, dir)
	db := filepath.Join(dir, "mvh.db")
	apiAddr, rcvAddr := engFreeAddr(t), engFreeAddr(t) // nothing listens on rcvAddr yet: the receiver is down

	first := restartServe(t, bin, db, apiAddr, filepath.Join(dir, "serve-1.log"))
	api := &processAPI{base: "http://" + apiAddr}
	appID := api.createApp(t, "http://"+rcvAddr+"/webhooks")
	api.enqueue(t, appID, restartDeliveries)
	attempts := api.waitAttempts(t, restartDeliveries+restartDeliveries/2)
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	_ = first.Wait()
	t.Logf("killed after %d failed attempts, %s in", attempts, time.Since(start).Round(time.Millisecond))

	rcv := startKeyReceiver(t, rcvAddr)
	second := restartServe(t, bin, db, apiAddr, filepath.Join(dir, "serve-2.log"))
	deadline := time.Now().Add(40 * time.Second)
	for rcv.unique() < restartDeliveries && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	unique, total, invalid := rcv.counts()
	if unique != restartDeliveries {
		t.Fatalf("%d of %d deliveries arrived after the restart (%d requests): %d lost", unique, restartDeliveries, total, restartDeliveries-unique)
	}
	if invalid > 0 {
		t.Errorf("%d deliveries had an invalid signature", invalid)
	}
	if n := api.count(t, "status=failed"); n > 0 {
		t.Errorf("%d deliveries ended failed", n)
	}
	t.Logf("all %d delivered: %d requests, %d duplicates, %s total", unique, total, total-unique, time.Since(start).Round(time.Millisecond))
	restartStop(t, second)
}

// restartBuild builds the real binary once per test run, static like a release.
func restartBuild(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "mvh")
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/minivoice/mvh/cmd/mvh")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built mvh in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

func restartServe(t *testing.T, bin, db, addr, logFile string) *exec.Cmd {
	t.Helper()
	logf, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd := exec.Command(bin, "mock", "serve", "--db", db, "--addr", addr, "--time-scale", restartScale)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logFile)
			t.Fatalf("mvh mock serve not healthy after 20s: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// restartStop checks the graceful path too: SIGTERM ends the process cleanly.
func restartStop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("mvh mock serve after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("mvh mock serve still running 15s after SIGTERM")
	}
}

// processAPI drives the control API of a process.
type processAPI struct{ base string }

func (p *processAPI) call(method, path, body string, out any) error {
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// apiDelivery is the part of the control API's delivery this test reads.
type apiDelivery struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	AttemptCount int    `json:"attempt_count"`
}

func (p *processAPI) createApp(t *testing.T, url string) string {
	t.Helper()
	schedule := make([]string, 40)
	for i := range schedule {
		schedule[i] = fmt.Sprintf("%ds", 20*i)
	}
	sched, _ := json.Marshal(schedule)
	var app struct{ ID string }
	body := fmt.Sprintf(`{"webhook_url":%q,"webhook_secret":%q,"retry_schedule":%s}`, url, restartSecret, sched)
	if err := p.call(http.MethodPost, "/v1/applications", body, &app); err != nil {
		t.Fatal(err)
	}
	return app.ID
}

// enqueue sends n events, 16 at a time; every one must be acknowledged,
// since only an acknowledged delivery is promised.
func (p *processAPI) enqueue(t *testing.T, appID string, n int) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 16)
		mu   sync.Mutex
		errs []error
	)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := fmt.Sprintf(`{"application_id":%q,"event":"call.created","call":{"id":"call_restart_%04d"}}`, appID, i)
			if err := p.call(http.MethodPost, "/v1/events", body, nil); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d events refused, first: %v", len(errs), n, errs[0])
	}
}

// waitAttempts polls until the deliveries have at least min failed attempts
// between them, so the kill lands mid-run with retries already scheduled.
func (p *processAPI) waitAttempts(t *testing.T, min int) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var out struct{ Deliveries []apiDelivery }
		if err := p.call(http.MethodGet, "/v1/deliveries?limit=10000", "", &out); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, d := range out.Deliveries {
			sum += d.AttemptCount
		}
		if sum >= min {
			return sum
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d attempts after 20s, want %d", sum, min)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *processAPI) count(t *testing.T, query string) int {
	t.Helper()
	var out struct{ Deliveries []apiDelivery }
	if err := p.call(http.MethodGet, "/v1/deliveries?limit=10000&"+query, "", &out); err != nil {
		t.Fatal(err)
	}
	return len(out.Deliveries)
}

// keyReceiver records each delivery by data.event_key and checks its signature.
type keyReceiver struct {
	mu      sync.Mutex
	seen    map[string]int
	total   int
	invalid int
}

func startKeyReceiver(t *testing.T, addr string) *keyReceiver {
	t.Helper()
	r := &keyReceiver{seen: map[string]int{}}
	v := signature.NewVerifier(restartSecret)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var env struct {
			Data struct {
				EventKey string `json:"event_key"`
			} `json:"data"`
		}
		_ = json.NewDecoder(bytes.NewReader(body)).Decode(&env)
		r.mu.Lock()
		r.total++
		if v.VerifyRequest(req.Header, body) != nil {
			r.invalid++
		}
		if env.Data.EventKey != "" {
			r.seen[env.Data.EventKey]++
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *keyReceiver) unique() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *keyReceiver) counts() (unique, total, invalid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen), r.total, r.invalid
}
