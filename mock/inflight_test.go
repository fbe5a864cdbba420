package mock

import (
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestAttemptInFlightSurvivesSIGKILL: an attempt is recorded as started
// before its request goes out, so when `mvh mock serve` is SIGKILLed while
// the receiver holds the request, the restarted mock's history shows that
// attempt as interrupted and the retry as the next attempt.
func TestAttemptInFlightSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the mvh binary")
	}
	dir := t.TempDir()
	bin := restartBuild(t, dir)
	db, apiAddr := filepath.Join(dir, "mvh.db"), engFreeAddr(t)
	var answering atomic.Bool
	arrived := make(chan struct{}, 16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rcv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if !answering.Load() {
			<-r.Context().Done() // hold the request until the sender dies
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = rcv.Serve(ln) }()
	t.Cleanup(func() { _ = rcv.Close() })

	first := restartServe(t, bin, db, apiAddr, filepath.Join(dir, "serve-1.log"))
	api := &processAPI{base: "http://" + apiAddr}
	api.enqueue(t, api.createApp(t, "http://"+ln.Addr().String()+"/webhooks"), 1)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the attempt never reached the receiver")
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	answering.Store(true)

	second := restartServe(t, bin, db, apiAddr, filepath.Join(dir, "serve-2.log"))
	defer restartStop(t, second)
	var d struct {
		Status   string
		Attempts []struct {
			N          int    `json:"n"`
			Status     int    `json:"status"`
			ErrorClass string `json:"error_class"`
			Error      string `json:"error"`
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list struct{ Deliveries []apiDelivery }
		if err := api.call(http.MethodGet, "/v1/deliveries", "", &list); err != nil || len(list.Deliveries) != 1 {
			t.Fatalf("deliveries: %+v, %v", list, err)
		}
		if err := api.call(http.MethodGet, "/v1/deliveries/"+list.Deliveries[0].ID, "", &d); err != nil {
			t.Fatal(err)
		}
		if d.Status == StatusDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered 30s after the restart: %+v", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(d.Attempts) != 2 || d.Attempts[0].N != 1 || d.Attempts[0].ErrorClass != ClassInterrupted ||
		d.Attempts[0].Error != startedNote || d.Attempts[1].N != 2 || d.Attempts[1].Status != http.StatusNoContent {
		t.Fatalf("attempt history after the SIGKILL: %+v; want 1 interrupted (%q), then 2 answered 204", d.Attempts, startedNote)
	}
}
