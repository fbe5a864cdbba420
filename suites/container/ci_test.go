package container_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minivoice/mvh/suites/harness"
	"go.yaml.in/yaml/v3"
)

// ciDir holds the CI recipes the README's "Use it as a CI gate" shows.
var ciDir = filepath.Join(repoRoot, "examples", "ci")

type ghWorkflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn string            `yaml:"runs-on"`
		Env    map[string]string `yaml:"env"`
		Steps  []ghStep          `yaml:"steps"`
	} `yaml:"jobs"`
}

type ghStep struct {
	Name, Uses, Run, If string
	With                map[string]string
}

type glJob struct {
	Image    string
	Services []struct {
		Name, Alias string
	}
	Variables    map[string]string
	BeforeScript []string `yaml:"before_script"`
	Script       []string
	AfterScript  []string `yaml:"after_script"`
	Artifacts    struct {
		When     string
		ExposeAs string `yaml:"expose_as"`
		Paths    []string
		Reports  struct {
			JUnit string `yaml:"junit"`
		}
	}
}

func loadYAML(t *testing.T, name string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(readCI(t, name)), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestGitHubWorkflowShape: the workflow builds the image, gates on mvh
// conform --image, and publishes the reports even when the gate fails.
func TestGitHubWorkflowShape(t *testing.T) {
	var w ghWorkflow
	loadYAML(t, "github-actions.yml", &w)
	job, ok := w.Jobs["conformance"]
	_, onPR := w.On["pull_request"]
	if !ok || job.RunsOn != "ubuntu-latest" || !onPR {
		t.Fatalf("want a conformance job on ubuntu-latest triggered by pull requests, got %+v", w)
	}
	var scripts []string
	uploads, summary := false, false
	for _, s := range job.Steps {
		scripts = append(scripts, s.Run)
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			uploads = s.With["path"] == "reports/" && strings.Contains(s.If, "!cancelled()")
		}
		if strings.Contains(s.Run, "GITHUB_STEP_SUMMARY") {
			summary = strings.Contains(s.Run, "reports/report.md") && strings.Contains(s.If, "!cancelled()")
		}
	}
	all := strings.Join(scripts, "\n")
	for _, want := range []string{`docker build -t "$RECEIVER_IMAGE"`, `mvh conform --image "$RECEIVER_IMAGE" --report-dir reports`} {
		if !strings.Contains(all, want) {
			t.Errorf("no step runs %s", want)
		}
	}
	if !uploads || !summary {
		t.Errorf("upload of reports/ (%v) and report.md in the job summary (%v) must run even after a failed gate", uploads, summary)
	}
	checkConformFlags(t, all+"\n"+readCI(t, "github-actions.yml"))
}

// TestGitLabJobShape: the job builds on docker-in-docker, gates on mvh
// conform --image, and keeps the reports (JUnit too) on failure.
func TestGitLabJobShape(t *testing.T) {
	var jobs map[string]glJob
	loadYAML(t, "gitlab-ci.yml", &jobs)
	job, ok := jobs["conformance"]
	if !ok {
		t.Fatal("no conformance job")
	}
	if len(job.Services) != 1 || !strings.Contains(job.Services[0].Name, "dind") || job.Variables["DOCKER_HOST"] != "tcp://"+job.Services[0].Alias+":2375" {
		t.Errorf("want a docker-in-docker service that DOCKER_HOST points at, got %+v %v", job.Services, job.Variables)
	}
	all := strings.Join(append(job.Script, job.AfterScript...), "\n")
	for _, want := range []string{`docker build -t "$RECEIVER_IMAGE"`, `mvh conform --image "$RECEIVER_IMAGE" --report-dir reports`, "reports/report.md"} {
		if !strings.Contains(all, want) {
			t.Errorf("the job never runs %s", want)
		}
	}
	a := job.Artifacts
	if a.When != "always" || len(a.Paths) != 1 || a.Paths[0] != "reports/" || a.Reports.JUnit != "reports/junit.xml" {
		t.Errorf("artifacts %+v: want reports/ and the JUnit report kept always", a)
	}
	checkConformFlags(t, all+"\n"+readCI(t, "gitlab-ci.yml"))
}

func readCI(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ciDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// conformLine matches mvh conform command lines and the comment lines that
// list more of its flags.
var conformLine = regexp.MustCompile(`(?m)mvh conform.*$|^#\s+--.*$`)

// checkConformFlags fails for any flag of an `mvh conform` line (in the
// scripts or the comments of the recipes) that mvh conform does not have.
func checkConformFlags(t *testing.T, scripts string) {
	t.Helper()
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	(&harness.Config{}).RegisterFlags(fs)
	for _, line := range conformLine.FindAllString(scripts, -1) {
		for _, f := range strings.Fields(line) {
			name, _, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
			if strings.HasPrefix(f, "--") && fs.Lookup(name) == nil {
				t.Errorf("%q: mvh conform has no flag --%s", line, name)
			}
		}
	}
}

// TestREADMEShowsRecipes: the README's "Use it as a CI gate" shows the
// recipes exactly as tested, and names only make targets that exist.
func TestREADMEShowsRecipes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Use it as a CI gate\n")
	if !ok {
		t.Fatal("README has no section ## Use it as a CI gate")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	for _, name := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		if !strings.Contains(section, "```yaml\n"+readCI(t, name)+"```") {
			t.Errorf("the README's copy of examples/ci/%s differs from the file", name)
		}
	}
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\bmake ([a-z-]+)`).FindAllStringSubmatch(section, -1) {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m[1]) + `:`).Match(mk) {
			t.Errorf("README names make %s, which the Makefile lacks", m[1])
		}
	}
}
