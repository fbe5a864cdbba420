// Package catalogue is the single list of conformance checks, in the spirit
// of Kubernetes' conformance.yaml: an embedded YAML file that `mvh conform
// --list` prints, that the Ginkgo specs are checked against, and that the
// reporters read levels and titles from. It holds no Ginkgo DSL, only the
// light report types needed to compute a verdict.
package catalogue

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Level says what a failing check does to the verdict.
type Level string

// The two levels of RFC 2119 the catalogue uses.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Check is one entry of the catalogue.
type Check struct {
	ID    string `yaml:"id" json:"id"`
	Level Level  `yaml:"level" json:"level"`
	// Area is the ID's prefix ("signature" of "signature.missing"); it
	// groups checks in reports.
	Area      string `yaml:"-" json:"area"`
	Title     string `yaml:"title" json:"title"`
	Rationale string `yaml:"rationale" json:"rationale"`
	// Seed quotes the sentence of MiniVoice's public page the check rests
	// on, or is empty when the check comes from the contract alone.
	Seed string `yaml:"seed" json:"seed,omitempty"`
	// Observation is true when the check needs to see business records.
	Observation bool `yaml:"observation" json:"observation"`
	// Restart is true when the check restarts the receiver; a receiver the
	// harness cannot restart skips it.
	Restart bool `yaml:"restart" json:"restart,omitempty"`
	// Assumes lists earlier checks this one builds on, the way a JUnit
	// assumption does: when one of them failed in the same run, this
	// check is skipped ("assumption failed") instead of failing again for
	// the same fault (see Assumption). A check assumes only checks that
	// run before it and, for a MUST, only MUST checks, so a skip never
	// turns a failing verdict into a passing one.
	Assumes []string `yaml:"assumes" json:"assumes,omitempty"`
}

// Labels are the Ginkgo labels of the check's spec: its ID, its level,
// "area:<area>" and "observation" when it needs observation. A label
// filter on IDs and levels is how --only, --skip and --level select checks.
func (c Check) Labels() []string {
	out := []string{c.ID, string(c.Level), "area:" + c.Area}
	if c.Observation {
		out = append(out, ObservationLabel)
	}
	return out
}

// ObservationLabel marks the specs of checks that need business records.
const ObservationLabel = "observation"

// Catalogue is the loaded list; it is immutable and safe to share.
type Catalogue struct {
	checks []Check
	byID   map[string]int
}

// ErrInvalid marks a catalogue file that breaks its own rules.
var ErrInvalid = errors.New("invalid catalogue")

//go:embed catalogue.yaml
var embedded []byte

// Load parses the embedded catalogue. It cannot fail on a clean build; a
// test keeps it that way, and callers still get an error, not a panic.
func Load() (Catalogue, error) { return Parse(embedded) }

// Parse reads a catalogue document; Load uses it on the embedded file.
func Parse(data []byte) (Catalogue, error) {
	var doc struct {
		Checks []Check `yaml:"checks"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return Catalogue{}, fmt.Errorf("catalogue: %w", err)
	}
	c := Catalogue{byID: make(map[string]int, len(doc.Checks))}
	for i, ch := range doc.Checks {
		if err := complete(&ch); err != nil {
			return Catalogue{}, fmt.Errorf("catalogue: check %d: %w", i+1, err)
		}
		if _, dup := c.byID[ch.ID]; dup {
			return Catalogue{}, fmt.Errorf("catalogue: %w: duplicate id %s", ErrInvalid, ch.ID)
		}
		c.byID[ch.ID] = len(c.checks)
		c.checks = append(c.checks, ch)
	}
	if len(c.checks) == 0 {
		return Catalogue{}, fmt.Errorf("catalogue: %w: no checks", ErrInvalid)
	}
	for i, ch := range c.checks {
		if err := c.assumable(i, ch); err != nil {
			return Catalogue{}, fmt.Errorf("catalogue: %w: %s: %v", ErrInvalid, ch.ID, err)
		}
	}
	return c, nil
}

// assumable checks that every check ch (the i-th) assumes runs before it
// and, when ch is a MUST, is a MUST too.
func (c Catalogue) assumable(i int, ch Check) error {
	for _, id := range ch.Assumes {
		j, ok := c.byID[id]
		switch {
		case !ok:
			return fmt.Errorf("assumes %s, which is not in the catalogue", id)
		case j >= i:
			return fmt.Errorf("assumes %s, which does not run before it", id)
		case ch.Level == Must && c.checks[j].Level != Must:
			return fmt.Errorf("a MUST check assumes %s, a %s: its skip could pass a run that must fail", id, c.checks[j].Level)
		}
	}
	return nil
}

// complete validates one entry and derives its area from the ID.
func complete(ch *Check) error {
	area, name, ok := strings.Cut(ch.ID, ".")
	if !ok || area == "" || name == "" || strings.ContainsAny(ch.ID, " &|!,()/:") {
		return fmt.Errorf("%w: id %q: want area.name with none of the characters &|!,()/: and no spaces", ErrInvalid, ch.ID)
	}
	ch.Area = area
	if ch.Level != Must && ch.Level != Should {
		return fmt.Errorf("%w: %s: level %q: want MUST or SHOULD", ErrInvalid, ch.ID, ch.Level)
	}
	if strings.TrimSpace(ch.Title) == "" || strings.TrimSpace(ch.Rationale) == "" {
		return fmt.Errorf("%w: %s: title and rationale are required", ErrInvalid, ch.ID)
	}
	return nil
}

// Checks returns every check in run order.
func (c Catalogue) Checks() []Check { return append([]Check(nil), c.checks...) }

// Check looks a check up by ID.
func (c Catalogue) Check(id string) (Check, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Check{}, false
	}
	return c.checks[i], true
}

// IDs returns every check ID in run order.
func (c Catalogue) IDs() []string {
	out := make([]string, len(c.checks))
	for i, ch := range c.checks {
		out[i] = ch.ID
	}
	return out
}
