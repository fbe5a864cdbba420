package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
)

// errHelp reports that -h was asked for and usage was printed.
var errHelp = errors.New("help requested")

// Config mirrors receivers/reference's flags, plus the defect to exhibit.
type Config struct {
	Addr       string
	Secret     string
	Downstream string
	DB         string
	Path       string
	Defect     string
}

// RegisterFlags binds the receiver's flags to c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080",
		"listen address HOST:PORT; when not given and $PORT is set, :$PORT on all interfaces")
	fs.StringVar(&c.Secret, "secret", "", "webhook secret (default $MVH_SECRET); required")
	fs.StringVar(&c.Downstream, "downstream", "", "URL each stored event is POSTed to (default $DOWNSTREAM_URL)")
	fs.StringVar(&c.DB, "db", ":memory:", "SQLite database file, or a postgres:// DSN")
	fs.StringVar(&c.Path, "path", "/webhooks/minivoice", "URL path of the webhook endpoint")
	fs.StringVar(&c.Defect, "defect", "", "the bug to exhibit (default $DEFECT; none: behave correctly)")
}

// parseConfig reads flags, then the environment for flags not given.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("faulty", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fmt.Fprintln(out, "usage: faulty --secret SECRET [--defect NAME] [flags]")
			fs.PrintDefaults()
			return c, errHelp
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fromEnv := func(name, env string, dst *string) {
		if v := getenv(env); v != "" && !given[name] {
			*dst = v
		}
	}
	fromEnv("secret", "MVH_SECRET", &c.Secret)
	fromEnv("downstream", "DOWNSTREAM_URL", &c.Downstream)
	fromEnv("defect", "DEFECT", &c.Defect)
	if p := getenv("PORT"); p != "" && !given["addr"] {
		c.Addr = ":" + p
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	if c.Secret == "" {
		return errors.New("secret: required (--secret or MVH_SECRET)")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q: %w", c.Addr, err)
	}
	if !strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, "{} \t") {
		return fmt.Errorf("path %q: must start with / and hold no spaces or braces", c.Path)
	}
	if c.DB == "" {
		return errors.New("db: empty path")
	}
	return checkDefect(c.Defect)
}
