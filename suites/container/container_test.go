package container_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec"
	"github.com/minivoice/mvh/spec/signature"
	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/sink"
	"github.com/minivoice/mvh/suites/target"
)

const testSecret = "whsec_minivoice_test"

// TestRunDockerfile builds the reference receiver's image with its
// Dockerfile, reaches it on loopback, and leaves nothing behind.
func TestRunDockerfile(t *testing.T) {
	requireDocker(t)
	dir := receiverContext(t, "reference")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := container.Run(ctx, "", container.WithDockerfile(dir), container.WithSecret(testSecret))
	t.Cleanup(func() { terminate(t, c) })
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("build and start: %s", time.Since(start).Round(time.Millisecond))
	if !c.Built || !strings.HasPrefix(c.Image, "mvh-build/") {
		t.Errorf("image %q built=%v: want a built mvh-build/ image", c.Image, c.Built)
	}
	url, err := c.URL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, container.DefaultPath) {
		t.Fatalf("url %s: want http://127.0.0.1:PORT%s", url, container.DefaultPath)
	}
	if got := post(t, url, body(t, "call.created", newCallID()), testSecret); got != http.StatusOK {
		t.Errorf("signed delivery: status %d, want 200", got)
	}
	if got := post(t, url, body(t, "call.created", newCallID()), ""); got/100 != 4 {
		t.Errorf("unsigned delivery: status %d, want 4xx", got)
	}
	terminate(t, c)
	assertSessionGone(t, c.Session)
	if out, _ := c.Output(ctx); !strings.Contains(string(out), "listening") {
		t.Errorf("output kept after terminate = %q, want the receiver's log", out)
	}
}

// TestTargetSink runs the reference as a conformance target: the sink the
// harness places with SinkHosts receives the record through the host
// gateway, and the receiver's logs are evidence.
func TestTargetSink(t *testing.T) {
	requireDocker(t)
	tgt := container.NewTarget(container.Options{Dockerfile: receiverContext(t, "reference")})
	placer, ok := tgt.(target.SinkPlacer)
	if !ok {
		t.Fatal("container target does not implement target.SinkPlacer")
	}
	bind, advertise := placer.SinkHosts()
	t.Logf("sink binds %s, advertised as %s", bind, advertise)
	s, err := sink.Start(sink.Options{Addr: bind + ":0", AdvertiseHost: advertise})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := tgt.Start(ctx, target.Params{Secret: testSecret, SinkURL: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(context.Background())
	call := newCallID()
	if got := post(t, r.URL, body(t, "call.created", call), testSecret); got != http.StatusOK {
		t.Fatalf("signed delivery: status %d, want 200", got)
	}
	key := spec.EventKey(call, "call.created")
	if err := pollCount(ctx, s, key); err != nil {
		t.Errorf("record %s never reached the sink at %s: %v\nreceiver output:\n%s", key, s.URL(), err, r.Logs())
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Errorf("second stop: %v", err)
	}
	if !strings.Contains(string(r.Logs()), "listening") {
		t.Errorf("logs after stop = %q, want the receiver's output", r.Logs())
	}
	if strings.Contains(string(r.Logs()), testSecret) {
		t.Error("the receiver's output holds the secret")
	}
}

// TestRunImage runs a named image (what --image does) with the faulty
// receiver's DEFECT passed through the environment.
func TestRunImage(t *testing.T) {
	requireDocker(t)
	tag := receiverImage(t, "faulty")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := container.Run(ctx, tag, container.WithSecret(testSecret), container.WithEnv("DEFECT=accept-unsigned"))
	t.Cleanup(func() { terminate(t, c) })
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	url, err := c.URL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := post(t, url, body(t, "call.created", newCallID()), ""); got != http.StatusOK {
		t.Errorf("unsigned delivery to accept-unsigned: status %d, want 200 (the defect)", got)
	}
	terminate(t, c)
	assertSessionGone(t, c.Session)
}

func terminate(t *testing.T, c *container.Container) {
	t.Helper()
	if err := c.Terminate(context.Background()); err != nil {
		t.Errorf("terminate: %v", err)
	}
}

// pollCount waits until the sink holds key, bounded by ctx and 100 polls.
func pollCount(ctx context.Context, s *sink.Sink, key string) error {
	for range 100 {
		counts, err := s.Counts(ctx)
		if err != nil {
			return err
		}
		if counts[key] > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("not after 10 s")
}

var callSeq int

// newCallID is a fresh call ID, so every delivery is a new event.
func newCallID() string {
	callSeq++
	return fmt.Sprintf("CA%d%04d", time.Now().UnixNano(), callSeq)
}

func body(t *testing.T, event, callID string) []byte {
	t.Helper()
	s, err := spec.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Payload(event, spec.PayloadOptions{CallID: callID})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends one delivery, signed now with secret (unsigned when empty).
func post(t *testing.T, url string, body []byte, secret string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		for k, v := range signature.Headers(time.Now(), body, secret) {
			req.Header.Set(k, v)
		}
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("post %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
