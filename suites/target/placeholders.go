package target

import "strings"

// Placeholder names a target's --cmd and --env values may use; the harness
// fills them when it starts a receiver.
const (
	VarPort    = "port"     // a free loopback port the harness picked
	VarSecret  = "secret"   // the webhook secret
	VarSinkURL = "sink_url" // where to forward business records
	VarURL     = "url"      // the receiver's webhook URL
	// VarStateDir is a directory that lives as long as the run and
	// survives restarts, for the receiver's database: a host directory
	// for --cmd, a volume mounted at StateMount in a container. The
	// receiver also finds it in $MVH_STATE_DIR.
	VarStateDir = "state_dir"
)

// StateEnv is the environment variable that carries {state_dir}.
const StateEnv = "MVH_STATE_DIR"

// Expand replaces each {name} of s whose name is in vars; other braces are
// left alone, so JSON or shell syntax in a command survives.
func Expand(s string, vars map[string]string) string {
	if len(vars) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(vars))
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Uses reports whether s mentions the placeholder name, e.g. whether a
// command wants a sink.
func Uses(s, name string) bool { return strings.Contains(s, "{"+name+"}") }
