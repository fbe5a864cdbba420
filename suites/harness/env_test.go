package harness

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/minivoice/mvh/suites/target"
)

// TestChecksSeeTheNarrowEnv: the checks' view of the harness answers from
// the running receiver (its URL after a restart too) and refuses a restart
// the target cannot do with target.ErrNoRestart.
func TestChecksSeeTheNarrowEnv(t *testing.T) {
	client := &http.Client{}
	restarted := 0
	for _, tc := range []struct {
		name      string
		restarter target.Restarter
		wantURL   string
		wantErr   error
	}{
		{"no restart", nil, "http://127.0.0.1:1/webhooks/minivoice", target.ErrNoRestart},
		{"restart moves the URL", target.RestartFunc(func(context.Context, target.Mode) (string, error) {
			restarted++
			return "http://127.0.0.1:2/webhooks/minivoice", nil
		}), "http://127.0.0.1:2/webhooks/minivoice", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Env{Receiver: &target.Receiver{URL: "http://127.0.0.1:1/webhooks/minivoice", Restarter: tc.restarter},
				Secret: "whsec_minivoice_test", Client: client}
			env := e.Checks()
			if env.Secret() != e.Secret || env.Client() != client || env.Observer() != nil || env.Sink() != nil {
				t.Errorf("secret %q client %p observer %v sink %v", env.Secret(), env.Client(), env.Observer(), env.Sink())
			}
			err := env.Restart(context.Background(), target.Crash)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("restart: %v, want %v", err, tc.wantErr)
			}
			if env.URL() != tc.wantURL {
				t.Errorf("url %s, want %s", env.URL(), tc.wantURL)
			}
		})
	}
	if restarted != 1 {
		t.Errorf("restarter called %d times, want 1", restarted)
	}
}
