package receiver

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrHelp reports that -h was asked for and usage was printed: exit 0.
var ErrHelp = errors.New("help requested")

// Config is everything the receiver needs; flags fill it, and the
// environment fills what the flags leave unset.
type Config struct {
	Addr       string   // listen address HOST:PORT
	Secrets    []string // webhook secrets; more than one during a rotation
	Downstream string   // where stored events are forwarded; empty: nowhere
	DB         string   // SQLite file, ":memory:", or a postgres:// DSN
	Path       string   // URL path of the webhook endpoint
	// NoForward forwards nothing, not even to $DOWNSTREAM_URL: the store
	// is the only place records go, as in most real receivers.
	NoForward bool
	// DumpRecords prints the stored records of DB and exits.
	DumpRecords bool
}

// RegisterFlags binds the receiver's flags to c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080",
		"listen address HOST:PORT; when not given and $PORT is set, :$PORT on all interfaces")
	fs.Var((*secretList)(&c.Secrets), "secret",
		"webhook secret, repeat the flag while rotating secrets (default $MVH_SECRET); required")
	fs.StringVar(&c.Downstream, "downstream", "",
		"URL each stored event is POSTed to as JSON, after the answer (default $DOWNSTREAM_URL)")
	fs.StringVar(&c.DB, "db", ":memory:",
		"SQLite database file, or a PostgreSQL postgres://USER:PASSWORD@HOST:PORT/DB DSN; :memory: keeps events only while running (default $MVH_STATE_DIR/events.db when set)")
	fs.BoolVar(&c.NoForward, "no-forward", false, "forward nothing, not even to $DOWNSTREAM_URL: records stay in --db")
	fs.BoolVar(&c.DumpRecords, "dump-records", false, "print the records stored in --db, one JSON object a line, and exit")
	fs.StringVar(&c.Path, "path", "/webhooks/minivoice", "URL path of the webhook endpoint")
}

// parseConfig reads the reference's flags, then the environment.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	c.RegisterFlags(fs)
	return c, c.Parse(fs, args, getenv, out)
}

// Parse reads args into fs, which holds c's flags and any a caller added
// (receivers/faulty adds --defect), then the environment for the flags not
// given, and checks c. Usage goes to out only when -h is asked for (then the
// error is ErrHelp), so a mistake costs one line, not a screen.
func (c *Config) Parse(fs *flag.FlagSet, args []string, getenv func(string) string, out io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fmt.Fprintf(out, "usage: %s --secret SECRET [flags]\n", fs.Name())
			fs.PrintDefaults()
			return ErrHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.applyEnv(fs, getenv)
	return c.validate()
}

// applyEnv fills unset flags from the environment: flags win, so a command
// line is always the whole truth when it says something.
func (c *Config) applyEnv(fs *flag.FlagSet, getenv func(string) string) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if p := getenv("PORT"); p != "" && !given["addr"] {
		c.Addr = ":" + p
	}
	if s := getenv("MVH_SECRET"); s != "" && !given["secret"] {
		c.Secrets = []string{s}
	}
	if d := getenv("MVH_STATE_DIR"); d != "" && !given["db"] {
		c.DB = filepath.Join(d, "events.db") // a state directory that outlives the process
	}
	if d := getenv("DOWNSTREAM_URL"); d != "" && !given["downstream"] && !c.NoForward {
		c.Downstream = d
	}
}

func (c *Config) validate() error {
	if c.DumpRecords {
		return nil // needs only --db
	}
	if c.NoForward && c.Downstream != "" {
		return errors.New("no-forward: contradicts --downstream")
	}
	if len(c.Secrets) == 0 {
		return errors.New("secret: required (--secret or MVH_SECRET); refusing to accept unsigned deliveries")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q: %w", c.Addr, err)
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, "{} \t") {
		return fmt.Errorf("path %q: must start with / and hold no spaces or braces", c.Path)
	}
	if c.Downstream != "" {
		u, err := url.Parse(c.Downstream)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !portOK(u.Port()) {
			return fmt.Errorf("downstream %q: not an absolute http(s) URL with a valid port", c.Downstream)
		}
	}
	if c.DB == "" {
		return errors.New("db: empty path (use :memory: for a throwaway store)")
	}
	return nil
}

// portOK accepts an absent port or one from 1 to 65535.
func portOK(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// secretList is a repeatable flag that never prints its values, so secrets
// stay out of usage text and logs.
type secretList []string

func (s *secretList) String() string {
	if s == nil || len(*s) == 0 {
		return ""
	}
	return fmt.Sprintf("[%d redacted]", len(*s))
}

func (s *secretList) Set(v string) error {
	if v == "" {
		return errors.New("empty secret")
	}
	*s = append(*s, v)
	return nil
}
