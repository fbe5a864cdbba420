package harness

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minivoice/mvh/suites/observe"
	"github.com/minivoice/mvh/suites/target"
)

// Observation is how the checks see the receiver's business records: the
// sink it forwards them to, or one of the inspect observers reading where
// the receiver keeps them. At most one inspect observer is given.
type Observation struct {
	SinkKey, SinkAddr string
	// NoSink runs no sink even for targets that get one by default
	// (containers), so observation checks skip instead of failing.
	NoSink bool
	// InspectURL answers a GET with the records as a JSON array.
	InspectURL string
	// InspectKey is a record's key: a JSON pointer for the URL, command and
	// exec observers, a column for SQL; "" means each one's default.
	InspectKey string
	// InspectSQL is a DSN (placeholders expanded) queried with InspectQuery.
	InspectSQL, InspectQuery string
	// InspectCmd runs on this machine through /bin/sh; InspectExec runs in
	// the receiver's container, exec form. Both print the records.
	InspectCmd, InspectExec string
	// Require fails the checks that would be skipped for want of
	// observation, for CI gates.
	Require bool
}

// pinger is an observer that can tell at once whether its store answers.
type pinger interface {
	Ping(ctx context.Context) error
}

// pingTimeout bounds the first connection to an observed database.
const pingTimeout = 15 * time.Second

// SQLOpener makes the --inspect-sql observer; the runner passes one so
// that this package links no database driver.
type SQLOpener func(dsn, query, key string) (observe.Observer, error)

// registerFlags binds the observation flags.
func (o *Observation) registerFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.SinkKey, "sink-key", observe.DefaultKey, "JSON pointer of the key of each record forwarded to the sink")
	fs.StringVar(&o.SinkAddr, "sink-addr", "", "HOST:PORT to run the sink on, for a receiver started outside the harness")
	fs.BoolVar(&o.NoSink, "no-sink", false, "run no sink, not even for a container (DOWNSTREAM_URL stays empty): observation checks skip")
	fs.StringVar(&o.InspectURL, "inspect-url", "", "URL answering a GET with the receiver's records as a JSON array")
	fs.StringVar(&o.InspectKey, "inspect-key", "",
		"key of each inspected record: a JSON pointer (default "+observe.DefaultKey+"), or with --inspect-sql a column (default key)")
	fs.StringVar(&o.InspectSQL, "inspect-sql", "", "`DSN` of the receiver's database (postgres://, mysql://, sqlite:PATH); placeholders {port} {state_dir}")
	fs.StringVar(&o.InspectQuery, "inspect-query", "", "`SELECT` returning one row per business record, its key in column key (read-only transaction)")
	fs.StringVar(&o.InspectCmd, "inspect-cmd", "", "`COMMAND` (run by /bin/sh) printing the records: a JSON array, or one JSON object or key a line")
	fs.StringVar(&o.InspectExec, "inspect-exec", "", "`ARGV` run inside the receiver's container (exec form, no shell) printing the records like --inspect-cmd")
	fs.BoolVar(&o.Require, "require-observation", false, "fail, not skip, the checks that need observation when there is none")
}

// validate checks the observation flags against each other and the target.
func (o Observation) validate(c Config) error {
	if err := observe.CheckPointer(o.SinkKey); err != nil {
		return fmt.Errorf("--sink-key: %v", err)
	}
	var given []string
	for _, f := range []struct{ name, value string }{{"--inspect-url", o.InspectURL},
		{"--inspect-sql", o.InspectSQL}, {"--inspect-cmd", o.InspectCmd}, {"--inspect-exec", o.InspectExec}} {
		if f.value != "" {
			given = append(given, f.name)
		}
	}
	switch {
	case len(given) > 1:
		return fmt.Errorf("observation: give one of --inspect-url, --inspect-sql, --inspect-cmd, --inspect-exec, not %s", strings.Join(given, " and "))
	case o.InspectQuery != "" && o.InspectSQL == "":
		return errors.New("--inspect-query: only with --inspect-sql")
	case o.InspectSQL != "" && strings.TrimSpace(o.InspectQuery) == "":
		return errors.New("--inspect-sql: needs --inspect-query 'SELECT ... AS key FROM ...'")
	case o.InspectExec != "" && c.Image == "" && c.Dockerfile == "":
		return errors.New("--inspect-exec: only with --image or --dockerfile (use --inspect-cmd for other receivers)")
	case o.NoSink && o.SinkAddr != "":
		return errors.New("--no-sink: contradicts --sink-addr")
	case o.InspectURL != "" && !isHTTPURL(o.InspectURL):
		return fmt.Errorf("--inspect-url %q: want an absolute http:// or https:// URL", o.InspectURL)
	}
	if o.InspectKey != "" && o.InspectSQL == "" {
		if err := observe.CheckPointer(o.InspectKey); err != nil {
			return fmt.Errorf("--inspect-key: %v", err)
		}
	}
	return nil
}

// Observe picks the run's observer once the receiver is up (its {port}
// and {state_dir} are known): an inspect observer when one is given, else
// the sink, else none. A DSN no driver serves, or a database that does not
// answer, is ErrConfig: one line before any delivery, not six failed checks.
func (e *Env) Observe(ctx context.Context, o Observation, openSQL SQLOpener) error {
	vars := e.Receiver.Vars
	switch {
	case o.InspectURL != "":
		e.Observer = observe.Inspect{URL: o.InspectURL, Key: o.InspectKey, Client: e.Client}
	case o.InspectSQL != "":
		if openSQL == nil {
			return fmt.Errorf("%w: --inspect-sql is not supported by this build", ErrConfig)
		}
		obs, err := openSQL(target.Expand(o.InspectSQL, vars), o.InspectQuery, o.InspectKey)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrConfig, err)
		}
		e.Observer = obs
		if p, ok := obs.(pinger); ok {
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			defer cancel()
			if err := p.Ping(pctx); err != nil {
				return fmt.Errorf("%w: %v", ErrConfig, err)
			}
		}
	case o.InspectCmd != "":
		line := target.Expand(o.InspectCmd, vars)
		e.Observer = observe.Command{Name: o.InspectCmd, Run: observe.Shell(line), Key: o.InspectKey}
	case o.InspectExec != "":
		argv := strings.Fields(target.Expand(o.InspectExec, vars))
		if e.Receiver.Exec == nil || len(argv) == 0 {
			return fmt.Errorf("%w: --inspect-exec: the receiver is not a container", ErrConfig)
		}
		run := func(ctx context.Context) ([]byte, error) { return e.Receiver.Exec(ctx, argv) }
		e.Observer = observe.Command{Name: o.InspectExec, Run: run, Key: o.InspectKey}
	case e.Sink != nil:
		e.Observer = e.Sink
	}
	return nil
}

// closeObserver releases an observer that holds connections.
func (e *Env) closeObserver() error {
	if c, ok := e.Observer.(io.Closer); ok && e.Observer != observe.Observer(e.Sink) {
		return c.Close()
	}
	return nil
}
