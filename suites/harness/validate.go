package harness

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/minivoice/mvh/suites/catalogue"
)

// ErrConfig marks a configuration the run cannot start with (exit 2).
var ErrConfig = errors.New("bad configuration")

// Validate checks the flags against each other and the catalogue, so a run
// that cannot mean anything fails before any receiver is started.
func (c Config) Validate(cat catalogue.Catalogue) error {
	for _, check := range []func() error{
		c.validateTarget,
		func() error { return c.validateSelection(cat) },
		c.validateObservation,
		c.validateKnobs,
	} {
		if err := check(); err != nil {
			return fmt.Errorf("%w: %v", ErrConfig, err)
		}
	}
	return nil
}

func (c Config) validateTarget() error {
	var given []string
	for _, f := range []struct{ name, value string }{{"--cmd", c.Cmd}, {"--image", c.Image}, {"--dockerfile", c.Dockerfile}} {
		if f.value != "" {
			given = append(given, f.name)
		}
	}
	switch {
	case len(given) > 1:
		return fmt.Errorf("target: give one of --cmd, --image, --dockerfile, not %s", strings.Join(given, " and "))
	case len(given) == 0 && c.URL == "":
		return errors.New("target: give --url, --cmd, --image or --dockerfile (or --demo)")
	case len(given) == 0 && c.Secret == "":
		return errors.New("--secret: required with --url, the secret the receiver verifies with")
	}
	if c.URL != "" && !strings.Contains(c.URL, "{") && !isHTTPURL(c.URL) {
		return fmt.Errorf("--url %q: want an absolute http:// or https:// URL", c.URL)
	}
	if (c.RestartCmd != "" || c.CrashCmd != "") && len(given) > 0 {
		return fmt.Errorf("--restart-cmd, --crash-cmd: only with --url; the harness restarts %s itself", given[0])
	}
	if c.CrashCmd != "" && c.RestartCmd == "" {
		return errors.New("--crash-cmd: needs --restart-cmd too, for the graceful restarts")
	}
	if !strings.HasPrefix(c.Path, "/") {
		return fmt.Errorf("--path %q: want a path starting with /", c.Path)
	}
	for _, kv := range c.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
	}
	if c.ReadyTimeout <= 0 {
		return fmt.Errorf("--ready-timeout %s: want a positive duration", c.ReadyTimeout)
	}
	return nil
}

func (c Config) validateSelection(cat catalogue.Catalogue) error {
	for _, f := range []struct {
		name string
		ids  []string
	}{{"--only", c.Only}, {"--skip", c.Skip}} {
		for _, id := range f.ids {
			if _, ok := cat.Check(id); !ok {
				return fmt.Errorf("%s %s: no such check (mvh conform --list shows them)", f.name, id)
			}
		}
	}
	if _, err := c.minLevel(); err != nil {
		return err
	}
	if len(c.Selected(cat)) == 0 {
		return fmt.Errorf("%s: select no check (mvh conform --list shows them)", c.filters())
	}
	return nil
}

// Selected lists the IDs of the checks --only, --skip and --level leave
// in, so a run whose filters select nothing is refused instead of passing.
func (c Config) Selected(cat catalogue.Catalogue) []string {
	filter := c.LabelFilter()
	var ids []string
	for _, ch := range cat.Checks() {
		sr := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeLabels: ch.Labels()}
		if ok, err := sr.MatchesLabelFilter(filter); ok && err == nil {
			ids = append(ids, ch.ID)
		}
	}
	return ids
}

// filters spells the selection flags given, for the empty-selection error.
func (c Config) filters() string {
	var parts []string
	if c.Level != "" && !strings.EqualFold(c.Level, "should") {
		parts = append(parts, "--level "+c.Level)
	}
	if len(c.Only) > 0 {
		parts = append(parts, "--only "+strings.Join(c.Only, ","))
	}
	if len(c.Skip) > 0 {
		parts = append(parts, "--skip "+strings.Join(c.Skip, ","))
	}
	return strings.Join(parts, " ")
}

func (c Config) validateObservation() error {
	if c.SinkAddr != "" {
		if _, _, err := net.SplitHostPort(c.SinkAddr); err != nil {
			return fmt.Errorf("--sink-addr %q: want HOST:PORT", c.SinkAddr)
		}
	}
	return c.Observation.validate(c)
}

func (c Config) validateKnobs() error {
	if _, err := c.TLS.Config(); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"--timeout", c.Timeout}, {"--settle", c.Settle}, {"--settle-max", c.SettleMax}, {"--ack-budget", c.AckBudget}, {"--slow-downstream", c.SlowDownstream}} {
		if f.d <= 0 {
			return fmt.Errorf("%s %s: want a positive duration", f.name, f.d)
		}
	}
	if c.SettleMax < c.Settle {
		return fmt.Errorf("--settle-max %s: want at least --settle (%s)", c.SettleMax, c.Settle)
	}
	if c.Burst < 10 || c.Burst > 100000 {
		return fmt.Errorf("--burst %d: want 10 to 100000 deliveries", c.Burst)
	}
	if c.Cases < 1 || c.Cases > 10000 {
		return fmt.Errorf("--cases %d: want 1 to 10000 generated deliveries per event", c.Cases)
	}
	if c.Seed < 0 {
		return fmt.Errorf("--seed %d: want a positive seed, or 0 to pick one", c.Seed)
	}
	return nil
}

// minLevel reads --level.
func (c Config) minLevel() (catalogue.Level, error) {
	switch strings.ToLower(c.Level) {
	case "", "should":
		return catalogue.Should, nil
	case "must":
		return catalogue.Must, nil
	}
	return "", fmt.Errorf("--level %q: want must or should", c.Level)
}

// LabelFilter translates --only, --skip and --level into the Ginkgo label
// query that selects the checks, so users never write one. IDs and levels
// are spec labels (see catalogue.Check.Labels).
func (c Config) LabelFilter() string {
	var parts []string
	if len(c.Only) > 0 {
		parts = append(parts, "("+strings.Join(c.Only, " || ")+")")
	}
	if len(c.Skip) > 0 {
		parts = append(parts, "!("+strings.Join(c.Skip, " || ")+")")
	}
	if level, _ := c.minLevel(); level == catalogue.Must {
		parts = append(parts, string(catalogue.Must))
	}
	return strings.Join(parts, " && ")
}

// isHTTPURL accepts absolute http and https URLs.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
