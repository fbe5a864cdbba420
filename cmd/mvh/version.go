package main

import (
	"runtime/debug"
	"strings"
)

// harnessVersion is what --version and report.json's harness.version say:
// the version stamped at link time (make build), else what the module's
// build information knows (a `go install …@v1.2.3` has its module version;
// a `go build` in a checkout has the VCS revision, marked dirty when the
// tree had changes), else "dev".
func harnessVersion() string {
	if version != "dev" && version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return fromBuildInfo(info)
}

// fromBuildInfo turns build information into a version string.
func fromBuildInfo(info *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	v := info.Main.Version
	if v == "(devel)" {
		v = ""
	}
	rev := settings["vcs.revision"]
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var parts []string
	if v != "" {
		parts = append(parts, v)
	}
	if rev != "" && !strings.Contains(v, rev) {
		parts = append(parts, rev)
	}
	if len(parts) == 0 {
		return "dev"
	}
	out := strings.Join(parts, "+")
	if settings["vcs.modified"] == "true" && !strings.HasSuffix(out, "+dirty") {
		out += "-dirty"
	}
	return out
}
