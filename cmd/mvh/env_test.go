package main

import (
	"strings"
	"testing"
)

// TestSecretsFromEnvironment: every secret and token flag can come from
// the environment (a comma list for repeatable ones), so none has to be
// typed where ps shows it, and a flag given wins over the environment.
func TestSecretsFromEnvironment(t *testing.T) {
	const body, ts = `{"a":1}`, "1780056000"
	sign := func(t *testing.T, env string, args ...string) string {
		t.Helper()
		t.Setenv(envSecret, env)
		code, out, errOut := mvhIO(t, body, append([]string{"sign", "--timestamp", ts}, args...)...)
		if code != 0 {
			t.Fatalf("mvh sign: exit %d: %s", code, errOut)
		}
		return strings.TrimSpace(out)
	}
	one := sign(t, "", "--secret", "whsec_one")
	two := sign(t, "", "--secret", "whsec_one", "--secret", "whsec_two")
	tests := []struct {
		name, env string
		args      []string
		want      string
	}{
		{"secret from the environment", "whsec_one", nil, one},
		{"a comma list for a repeatable flag", "whsec_one, whsec_two", nil, two},
		{"the flag wins", "whsec_two", []string{"--secret", "whsec_one"}, one},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sign(t, tt.env, tt.args...); got != tt.want {
				t.Errorf("mvh sign with %s=%q %v printed %q, want %q", envSecret, tt.env, tt.args, got, tt.want)
			}
		})
	}
	t.Run("verify reads it too", func(t *testing.T) {
		t.Setenv(envSecret, "whsec_one")
		header := one[strings.LastIndex(one, " ")+1:]
		code, _, errOut := mvhIO(t, body, "verify", "--timestamp", ts, "--now", ts, "--signature", header)
		if code != 0 {
			t.Fatalf("mvh verify with %s: exit %d: %s", envSecret, code, errOut)
		}
	})
}

// TestEveryCommandReadsItsSecretFromTheEnvironment names the flags the
// environment fills, command by command, so a new command cannot forget.
func TestEveryCommandReadsItsSecretFromTheEnvironment(t *testing.T) {
	root := newRoot(&app{})
	want := map[string]string{
		"conform secret": envSecret, "send secret": envSecret, "sign secret": envSecret,
		"verify secret": envSecret, "listen secret": envSecret, "fixtures replay secret": envSecret,
		"load secret": envSecret, "mock serve token": envToken, "listen token": envToken,
	}
	for path, env := range want {
		parts := strings.Fields(path)
		cmd, _, err := root.Find(parts[:len(parts)-1])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		f := cmd.Flags().Lookup(parts[len(parts)-1])
		if f == nil || len(f.Annotations[envAnnotation]) == 0 || f.Annotations[envAnnotation][0] != env {
			t.Errorf("mvh %s: --%s is not filled from $%s", strings.Join(parts[:len(parts)-1], " "), parts[len(parts)-1], env)
			continue
		}
		if !strings.Contains(f.Usage, "env "+env) {
			t.Errorf("mvh %s: the help of --%s does not name $%s", path, parts[len(parts)-1], env)
		}
	}
}
