package harness

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/catalogue"
)

func parse(t *testing.T, args ...string) Config {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRegisterFlagsDefaults(t *testing.T) {
	c := parse(t)
	if c.Settle != 5*time.Second || c.SettleMax != time.Minute || c.AckBudget != time.Second || c.Burst != 500 || c.SlowDownstream != 3*time.Second ||
		c.Path != "/webhooks/minivoice" || c.SinkKey != "/event_key" || c.Level != "should" || c.Knobs().Window() != 500*time.Millisecond || c.Timeout != 10*time.Minute {
		t.Errorf("defaults %+v", c)
	}
	c = parse(t, "--cmd", "r --port {port}", "--env", "A=1,2", "--env", "B=x", "--only", "ack.latency,load.burst", "--only", "input.oversized", "--settle", "100ms")
	if !slices.Equal(c.Env, []string{"A=1,2", "B=x"}) || !slices.Equal(c.Only, []string{"ack.latency", "load.burst", "input.oversized"}) {
		t.Errorf("lists: env %q only %q", c.Env, c.Only)
	}
	if c.Knobs().Window() != 200*time.Millisecond {
		t.Errorf("window %s, want the 200ms floor", c.Knobs().Window())
	}
}

func TestValidate(t *testing.T) {
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string // "" means valid
	}{
		{[]string{"--cmd", "r"}, ""},
		{[]string{"--url", "http://127.0.0.1:1/w", "--secret", "s"}, ""},
		{[]string{"--cmd", "r", "--url", "http://127.0.0.1:{port}/w"}, ""},
		{nil, "target: give --url"},
		{[]string{"--cmd", "r", "--image", "x"}, "not --cmd and --image"},
		{[]string{"--url", "http://127.0.0.1:1/w"}, "--secret: required"},
		{[]string{"--url", "127.0.0.1:1", "--secret", "s"}, "--url"},
		{[]string{"--cmd", "r", "--only", "nope.check"}, "--only nope.check: no such check"},
		{[]string{"--cmd", "r", "--skip", "ack.latency,bad"}, "--skip bad"},
		{[]string{"--cmd", "r", "--level", "may"}, "--level"},
		{[]string{"--cmd", "r", "--burst", "5"}, "--burst"},
		{[]string{"--cmd", "r", "--settle", "0s"}, "--settle"},
		{[]string{"--cmd", "r", "--settle-max", "0s"}, "--settle-max 0s: want a positive"},
		{[]string{"--cmd", "r", "--settle", "10s", "--settle-max", "5s"}, "--settle-max 5s: want at least --settle"},
		{[]string{"--cmd", "r", "--env", "NOEQUALS"}, "--env"},
		{[]string{"--cmd", "r", "--sink-key", "event_key"}, "--sink-key"},
		{[]string{"--cmd", "r", "--sink-addr", "nohost"}, "--sink-addr"},
		{[]string{"--cmd", "r", "--inspect-url", "ftp://x"}, "--inspect-url"},
		{[]string{"--cmd", "r", "--path", "webhooks"}, "--path"},
		{[]string{"--url", "http://127.0.0.1:1/w", "--secret", "s", "--restart-cmd", "docker restart hook"}, ""},
		{[]string{"--url", "http://127.0.0.1:1/w", "--secret", "s", "--restart-cmd", "a", "--crash-cmd", "b"}, ""},
		{[]string{"--cmd", "r", "--restart-cmd", "x"}, "--restart-cmd, --crash-cmd: only with --url"},
		{[]string{"--url", "http://127.0.0.1:1/w", "--secret", "s", "--crash-cmd", "b"}, "--crash-cmd: needs --restart-cmd"},
		{[]string{"--cmd", "r", "--inspect-sql", "postgres://h/db", "--inspect-query", "SELECT k AS key FROM t"}, ""},
		{[]string{"--cmd", "r", "--inspect-sql", "sqlite:{state_dir}/e.db", "--inspect-query", "SELECT 1 AS n", "--inspect-key", "n"}, ""},
		{[]string{"--cmd", "r", "--inspect-sql", "postgres://h/db"}, "needs --inspect-query"},
		{[]string{"--cmd", "r", "--inspect-query", "SELECT 1"}, "--inspect-query: only with --inspect-sql"},
		{[]string{"--cmd", "r", "--inspect-cmd", "cat x", "--inspect-url", "http://127.0.0.1:1/r"}, "not --inspect-url and --inspect-cmd"},
		{[]string{"--cmd", "r", "--inspect-cmd", "cat x", "--inspect-key", "id"}, "--inspect-key"},
		{[]string{"--cmd", "r", "--inspect-exec", "/reference --dump-records"}, "--inspect-exec: only with --image or --dockerfile"},
		{[]string{"--image", "i", "--inspect-exec", "/reference --dump-records"}, ""},
		{[]string{"--image", "i", "--no-sink", "--sink-addr", "127.0.0.1:9"}, "--no-sink"},
		{[]string{"--cmd", "r", "--level", "must", "--only", "http.method-not-allowed"}, "--level must --only http.method-not-allowed: select no check"},
		{[]string{"--cmd", "r", "--only", "ack.latency", "--skip", "ack.latency"}, "--only ack.latency --skip ack.latency: select no check"},
		{[]string{"--cmd", "r", "--level", "must", "--only", "ack.valid-delivery,http.method-not-allowed"}, ""},
	} {
		err := parse(t, tc.args...).Validate(cat)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig)):
			t.Errorf("%q: error %v, want ErrConfig mentioning %q", tc.args, err, tc.want)
		}
	}
}

// TestLabelFilter checks the translation of --only/--skip/--level against
// the labels the checks really carry.
func TestLabelFilter(t *testing.T) {
	cat, _ := catalogue.Load()
	spec := func(id string) types.SpecReport {
		ch, _ := cat.Check(id)
		return types.SpecReport{LeafNodeLabels: ch.Labels()}
	}
	for _, tc := range []struct {
		args       []string
		runs, left []string
	}{
		{nil, []string{"ack.latency", "load.burst"}, nil},
		{[]string{"--only", "ack.latency,load.burst"}, []string{"ack.latency", "load.burst"}, []string{"ack.valid-delivery"}},
		{[]string{"--skip", "load.burst"}, []string{"ack.latency"}, []string{"load.burst"}},
		{[]string{"--level", "must"}, []string{"ack.valid-delivery", "signature.rotation"}, []string{"ack.latency", "load.burst"}},
		{[]string{"--level", "must", "--skip", "signature.rotation"}, []string{"ack.valid-delivery"}, []string{"signature.rotation", "ack.latency"}},
	} {
		filter := parse(t, tc.args...).LabelFilter()
		for _, id := range tc.runs {
			if ok, err := spec(id).MatchesLabelFilter(filter); !ok || err != nil {
				t.Errorf("%q (filter %q) leaves out %s (%v)", tc.args, filter, id, err)
			}
		}
		for _, id := range tc.left {
			if ok, _ := spec(id).MatchesLabelFilter(filter); ok {
				t.Errorf("%q (filter %q) runs %s", tc.args, filter, id)
			}
		}
	}
}
