package container_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
)

// TestCIRecipesRun runs the recipes' shell steps as written, on this
// machine, against a "receiver repository" whose Dockerfile builds the
// reference receiver: the image build, the gate and the summary must work
// verbatim, and the reference passes every check. What cannot run here is
// replaced: actions (checkout, setup-go, upload) and the mvh install step
// (mvh is the one just built, on PATH), and GitLab's docker-in-docker
// service (the local engine is used instead of DOCKER_HOST=tcp://docker).
func TestCIRecipesRun(t *testing.T) {
	requireConformRuns(t)
	if _, err := exec.LookPath("docker"); err != nil {
		requireDockerCLI(t, err)
	}
	mvh := mvhBinary(t)
	t.Run("github", func(t *testing.T) {
		var w ghWorkflow
		loadYAML(t, "github-actions.yml", &w)
		job := w.Jobs["conformance"]
		repo, env := recipeRepo(t, mvh, "github", job.Env)
		summary := filepath.Join(t.TempDir(), "summary.md")
		env = append(env, "GITHUB_STEP_SUMMARY="+summary)
		for _, s := range job.Steps {
			if s.Run == "" || s.Name == "Install mvh" {
				continue
			}
			runStep(t, repo, env, "bash", "-e", "-c", s.Run)
		}
		b, err := os.ReadFile(summary)
		if err != nil || !strings.Contains(string(b), "mvh conform: PASS") {
			t.Errorf("job summary = %q (%v), want report.md with the verdict", b, err)
		}
		assertAllPassed(t, filepath.Join(repo, "reports", "report.json"))
	})
	t.Run("gitlab", func(t *testing.T) {
		var jobs map[string]glJob
		loadYAML(t, "gitlab-ci.yml", &jobs)
		job := jobs["conformance"]
		vars := map[string]string{}
		for k, v := range job.Variables {
			if !strings.HasPrefix(k, "DOCKER_") {
				vars[k] = v
			}
		}
		repo, env := recipeRepo(t, mvh, "gitlab", vars)
		runStep(t, repo, env, "sh", "-e", "-c", strings.Join(job.Script, "\n"))
		out := runStep(t, repo, env, "sh", "-e", "-c", strings.Join(job.AfterScript, "\n"))
		if !strings.Contains(out, "mvh conform: PASS") {
			t.Errorf("after_script printed %q, want report.md", out)
		}
		assertAllPassed(t, filepath.Join(repo, "reports", "report.json"))
		for _, p := range append(job.Artifacts.Paths, job.Artifacts.Reports.JUnit) {
			if _, err := os.Stat(filepath.Join(repo, p)); err != nil {
				t.Errorf("artifact %s: %v", p, err)
			}
		}
	})
}

// assertAllPassed: the reference receiver passes every check, SHOULDs too.
func assertAllPassed(t *testing.T, reportJSON string) {
	t.Helper()
	for _, c := range readReport(t, reportJSON).Checks {
		if c.Status != "passed" {
			t.Errorf("check %s %s %s", c.ID, c.Status, c.SkipReason)
		}
	}
}

// assertPassedExceptSkipped wants every check passed but those of skipped,
// which must be skipped with a reason that mentions why.
func assertPassedExceptSkipped(t *testing.T, reportJSON, why string, skipped ...string) {
	t.Helper()
	for _, c := range readReport(t, reportJSON).Checks {
		want := "passed"
		if slices.Contains(skipped, c.ID) {
			want = "skipped"
		}
		if c.Status != want || want == "skipped" && !strings.Contains(c.SkipReason, why) {
			t.Errorf("check %s %s %q, want %s (a skip naming %s)", c.ID, c.Status, c.SkipReason, want, why)
		}
	}
}

// requireDockerCLI skips (or fails under MVH_REQUIRE_DOCKER=1) without the
// docker CLI, which the recipes' build step uses.
func requireDockerCLI(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("MVH_REQUIRE_DOCKER") == "1" {
		t.Fatalf("the docker CLI is required (MVH_REQUIRE_DOCKER=1): %v", err)
	}
	t.Skipf("skipping the CI recipes: %v", err)
}

// recipeRepo makes a receiver repository (the reference's build context at
// its root) and the job's environment: its variables, RECEIVER_IMAGE
// unique to this run (removed afterwards), mvh first on PATH, and no
// reaper setting (mvh turns the reaper off itself).
func recipeRepo(t *testing.T, mvh, name string, vars map[string]string) (string, []string) {
	t.Helper()
	repo := t.TempDir()
	src := receiverContext(t, "reference")
	for _, f := range []string{"Dockerfile", ".dockerignore", "reference"} {
		copyFile(t, filepath.Join(src, f), filepath.Join(repo, f))
	}
	if err := os.Chmod(filepath.Join(repo, "reference"), 0o755); err != nil {
		t.Fatal(err)
	}
	image := fmt.Sprintf("mvh-test/ci-%s:%d", name, time.Now().UnixNano())
	t.Cleanup(func() {
		if err := deleteImage(image); err != nil {
			t.Error(err)
		}
	})
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, container.ReaperEnv+"=") && !strings.HasPrefix(e, "PATH=") {
			env = append(env, e)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	env = append(env, "RECEIVER_IMAGE="+image, "PATH="+filepath.Dir(mvh)+string(os.PathListSeparator)+os.Getenv("PATH"))
	return repo, env
}

// runStep runs one step's script in repo and fails the test when it fails.
func runStep(t *testing.T, repo string, env []string, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = repo, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%s: %s", firstLine(argv[len(argv)-1]), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("step %q: %v\n%s", argv[len(argv)-1], err, out)
	}
	return string(out)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
