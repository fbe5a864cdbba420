package main

import (
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name     string
		main     string
		settings map[string]string
		want     string
	}{
		{"go install of a release", "v1.2.3", nil, "v1.2.3"},
		{"checkout, clean", "(devel)", map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.modified": "false"}, "0123456789ab"},
		{"checkout, dirty", "(devel)", map[string]string{"vcs.revision": "0123456789abcdef0123", "vcs.modified": "true"}, "0123456789ab-dirty"},
		{"pseudo-version carries the revision", "v0.0.0-20261201120000-0123456789ab", map[string]string{"vcs.revision": "0123456789abcdef0123"}, "v0.0.0-20261201120000-0123456789ab"},
		{"release built from a checkout", "v1.2.3", map[string]string{"vcs.revision": "0123456789abcdef0123"}, "v1.2.3+0123456789ab"},
		{"nothing known", "(devel)", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &debug.BuildInfo{Main: debug.Module{Version: tt.main}}
			for k, v := range tt.settings {
				info.Settings = append(info.Settings, debug.BuildSetting{Key: k, Value: v})
			}
			if got := fromBuildInfo(info); got != tt.want {
				t.Fatalf("fromBuildInfo = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVersionFromPlainGoBuild builds mvh with `go build` and no ldflags,
// as `go install` and a checkout's build do, and expects --version to name
// the checkout's revision instead of "dev".
func TestVersionFromPlainGoBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mvh")
	}
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "mvh")
	// This machine's environment sets GOFLAGS=-buildvcs=false; a user's
	// `go build` in a checkout stamps the revision by default.
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("mvh --version: %v", err)
	}
	want := strings.TrimSpace(string(rev))[:12]
	if !strings.Contains(string(out), want) {
		t.Fatalf("mvh --version = %q, want the revision %s in it", out, want)
	}
}
