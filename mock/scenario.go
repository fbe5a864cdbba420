package mock

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/minivoice/mvh/spec"
)

//go:embed scenarios/*.yaml
var embeddedScenarios embed.FS

// Scenario is a call flow: the events one call emits, each at a delay after
// the call starts. Scenarios are data (YAML), so a new flow needs no code.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Direction   string `json:"direction,omitempty"`
	Steps       []Step `json:"steps"`
	// Source is the file the scenario came from ("embedded:<name>" for
	// built-in ones).
	Source string `json:"source"`
}

// Step is one event of a scenario.
type Step struct {
	Event string          `json:"event"`
	After time.Duration   `json:"after"`
	Set   []spec.Override `json:"set,omitempty"`
}

// scenarioFile is the YAML form of a scenario.
type scenarioFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Direction   string `yaml:"direction"`
	Events      []struct {
		Event string         `yaml:"event"`
		After string         `yaml:"after"`
		Set   map[string]any `yaml:"set"`
	} `yaml:"events"`
}

var scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Scenarios returns the embedded scenarios plus those in extra files (one
// scenario per file; a user file may replace an embedded scenario of the
// same name). Every scenario is checked against s: its events must be in the
// catalogue and each built payload must satisfy the contract.
func Scenarios(s *spec.Spec, extra ...string) (map[string]Scenario, error) {
	out := map[string]Scenario{}
	names, err := fs.Glob(embeddedScenarios, "scenarios/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		data, err := embeddedScenarios.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", n, err)
		}
		if err := addScenario(out, s, "embedded:"+path.Base(n), data); err != nil {
			return nil, err
		}
	}
	for _, f := range extra {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("scenario file %s: %w", f, err)
		}
		if err := addScenario(out, s, f, data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func addScenario(out map[string]Scenario, s *spec.Spec, source string, data []byte) error {
	sc, err := parseScenario(s, source, data)
	if err != nil {
		return fmt.Errorf("scenario file %s: %w", source, err)
	}
	out[sc.Name] = sc
	return nil
}

// parseScenario decodes strictly (a misspelt key is an error, not a silent
// default) and validates.
func parseScenario(s *spec.Spec, source string, data []byte) (Scenario, error) {
	var f scenarioFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return Scenario{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	sc := Scenario{Name: f.Name, Description: f.Description, Direction: f.Direction, Source: source}
	if !scenarioName.MatchString(sc.Name) {
		return Scenario{}, fmt.Errorf("%w: name %q: want lower-case letters, digits, '.', '_' or '-'", ErrInvalid, sc.Name)
	}
	if sc.Direction != "" && sc.Direction != "inbound" && sc.Direction != "outbound" {
		return Scenario{}, fmt.Errorf("%w: direction %q: want inbound or outbound", ErrInvalid, sc.Direction)
	}
	if len(f.Events) == 0 {
		return Scenario{}, fmt.Errorf("%w: no events", ErrInvalid)
	}
	for i, ev := range f.Events {
		st, err := parseStep(ev.Event, ev.After, ev.Set)
		if err != nil {
			return Scenario{}, fmt.Errorf("events[%d]: %w", i, err)
		}
		sc.Steps = append(sc.Steps, st)
	}
	if err := checkSteps(s, sc); err != nil {
		return Scenario{}, err
	}
	return sc, nil
}

// parseStep reads one event entry. Set values keep their YAML type: a
// quoted "1" stays a string, 45 a number, true a boolean.
func parseStep(event, after string, set map[string]any) (Step, error) {
	st := Step{Event: event}
	if after != "" {
		d, err := time.ParseDuration(after)
		if err != nil || d < 0 {
			return Step{}, fmt.Errorf("%w: after %q: want a duration like 30s", ErrInvalid, after)
		}
		st.After = d
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := json.Marshal(set[k])
		if err != nil {
			return Step{}, fmt.Errorf("%w: set %s: %v", ErrInvalid, k, err)
		}
		o, err := spec.ParseOverride(k + "=" + string(v))
		if err != nil {
			return Step{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		st.Set = append(st.Set, o)
	}
	return st, nil
}

// checkSteps validates a scenario against the contract: known events, each
// once (a second one would share its event_key and be deduplicated away),
// in time order, with payloads that satisfy the schema.
func checkSteps(s *spec.Spec, sc Scenario) error {
	seen := map[string]bool{}
	for i, st := range sc.Steps {
		if _, err := s.Event(st.Event); err != nil {
			return fmt.Errorf("events[%d]: %w: %w (known: %v)", i, ErrInvalid, err, s.EventNames())
		}
		if seen[st.Event] {
			return fmt.Errorf("events[%d]: %w: %s twice; both would share one event_key", i, ErrInvalid, st.Event)
		}
		seen[st.Event] = true
		if i > 0 && st.After < sc.Steps[i-1].After {
			return fmt.Errorf("events[%d]: %w: after %s is before the previous event's", i, ErrInvalid, st.After)
		}
		body, err := BuildEvent(s, st.Event, EventOptions{CallID: "call_check", Set: directionSet(sc.Direction, st.Set)})
		if err != nil {
			return fmt.Errorf("events[%d]: %w", i, err)
		}
		if vs := s.Validate(body); len(vs) > 0 {
			return fmt.Errorf("events[%d] %s: %w: payload breaks the contract at %s", i, st.Event, ErrInvalid, vs[0])
		}
	}
	return nil
}

// directionSet prefixes a step's overrides with the call's direction.
func directionSet(direction string, set []spec.Override) []spec.Override {
	if direction == "" {
		return set
	}
	return append([]spec.Override{{Path: "call.direction", Value: direction}}, set...)
}

// Scenarios returns the engine's scenarios: embedded plus Config.ScenarioFiles.
func (e *Engine) Scenarios() map[string]Scenario {
	out := make(map[string]Scenario, len(e.scenarios))
	for k, v := range e.scenarios {
		out[k] = v
	}
	return out
}
