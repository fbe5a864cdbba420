package mock

import (
	"flag"
	"fmt"
	"github.com/minivoice/mvh/delivery"
	"log/slog"
	"math"
	"strings"
	"time"
)

// Defaults of Config; zero fields take these.
const (
	DefaultDB          = "mvh.db"
	DefaultWorkers     = 32
	DefaultPerEndpoint = 10
	// MaxWorkers bounds Workers: each is a goroutine, and a typo of a few
	// zeros must not exhaust memory.
	MaxWorkers = 4096
	// MemoryDB is the throwaway outbox: nothing survives Close.
	MemoryDB = ":memory:"
)

// Config shapes an Engine. It is shared by the CLI (through RegisterFlags)
// and tests, which set fields directly.
type Config struct {
	// DB is the SQLite outbox file; MemoryDB for a throwaway one.
	DB string
	// TimeScale multiplies every schedule delay: 0.001 runs a 3h schedule in
	// about 11s. Recorded times stay in schedule time, so a compressed run
	// reads like a real one. Zero means 1.
	TimeScale float64
	// Workers bounds how many attempts run at once across all endpoints.
	Workers int
	// PerEndpoint bounds concurrent attempts to one scheme+host+port, so a
	// slow receiver is not hammered and does not starve the others.
	PerEndpoint int
	// AttemptTimeout overrides the contract's x-minivoice-retry
	// attempt-timeout (real time, never scaled).
	AttemptTimeout time.Duration
	// ShutdownGrace is how long Run waits for in-flight attempts once its
	// context ends before interrupting them; zero means the attempt timeout,
	// so attempts finish unless they would time out anyway.
	ShutdownGrace time.Duration
	// ScenarioFiles are user scenario YAML files added to the embedded ones.
	ScenarioFiles []string
	// TLS is how https:// webhook URLs are trusted (--ca-file,
	// --insecure-skip-verify), for every application.
	TLS    delivery.TLS
	Logger *slog.Logger
	// OnAttempt, when set, is called after each attempt is recorded, with the
	// delivery as updated by it. It may be called from several goroutines
	// at once and must not block for long.
	OnAttempt func(Delivery, Attempt)
}

// RegisterFlags binds the engine's flags: --db, --time-scale, --workers,
// --per-endpoint, --attempt-timeout and --scenario-file. Fields already set
// become the flags' defaults, so `mvh send` can default --db to :memory:.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.fill()
	fs.StringVar(&c.DB, "db", c.DB, `SQLite outbox file; ":memory:" for a throwaway run`)
	fs.Float64Var(&c.TimeScale, "time-scale", c.TimeScale, "multiply every delay, retries and a scenario's gaps between events alike (0.001 runs a 3h schedule in ~11s); recorded times stay in schedule time")
	fs.IntVar(&c.Workers, "workers", c.Workers, "attempts in flight at once, all endpoints together")
	fs.IntVar(&c.PerEndpoint, "per-endpoint", c.PerEndpoint, "attempts in flight at once to one scheme+host+port")
	fs.DurationVar(&c.AttemptTimeout, "attempt-timeout", c.AttemptTimeout, "per-attempt timeout, never scaled; 0 means the contract's x-minivoice-retry attempt-timeout")
	fs.Var((*fileList)(&c.ScenarioFiles), "scenario-file", "scenario YAML file to add to the embedded ones (repeatable)")
	c.TLS.RegisterFlags(fs)
}

// fill replaces zero fields with defaults.
func (c *Config) fill() {
	if c.DB == "" {
		c.DB = DefaultDB
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.PerEndpoint == 0 {
		c.PerEndpoint = DefaultPerEndpoint
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Check rejects values no engine can run with, naming the flag. Open calls
// it after defaulting zero fields; a CLI calls it right after parsing flags,
// where a zero is what the user typed (--time-scale 0) rather than unset.
func (c *Config) Check() error {
	switch {
	case !(c.TimeScale > 0) || math.IsInf(c.TimeScale, 1): // NaN compares false
		return fmt.Errorf("time-scale %v: %w: want a positive, finite factor", c.TimeScale, ErrInvalid)
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return fmt.Errorf("workers %d: %w: want 1 to %d", c.Workers, ErrInvalid, MaxWorkers)
	case c.PerEndpoint < 1:
		return fmt.Errorf("per-endpoint %d: %w: want at least 1", c.PerEndpoint, ErrInvalid)
	case c.AttemptTimeout < 0:
		return fmt.Errorf("attempt-timeout %s: %w: want a positive duration", c.AttemptTimeout, ErrInvalid)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("shutdown grace %s: %w: want a positive duration", c.ShutdownGrace, ErrInvalid)
	}
	if _, err := c.TLS.Config(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// fileList is a repeatable string flag.
type fileList []string

func (f *fileList) String() string { return strings.Join(*f, ",") }

// Type names the flag's value in pflag's help ("--scenario-file file").
func (f *fileList) Type() string { return "file" }
func (f *fileList) Set(v string) error {
	*f = append(*f, v)
	return nil
}
