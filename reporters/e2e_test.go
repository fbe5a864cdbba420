package reporters

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ginkgoreporters "github.com/onsi/ginkgo/v2/reporters"
)

// e2eChecks keeps the end-to-end run short: the check the defect breaks,
// and two that it passes.
const e2eChecks = "signature.missing,signature.wrong-secret,ack.valid-delivery"

// TestEndToEndSignatureDefect is issue 5's "done when": `mvh conform` against
// receivers/faulty --defect accept-unsigned writes all four reports, junit.xml
// is valid XML with one testcase per check, the HTML's reproduction of the
// failing check, run against that receiver with the secret, gets the same
// status, the saved fixtures reproduce it through `mvh fixtures replay`, and
// nothing written contains the secret.
func TestEndToEndSignatureDefect(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs mvh and faulty")
	}
	bin := buildBinaries(t)
	mvh, faulty := filepath.Join(bin, "mvh"), filepath.Join(bin, "faulty")
	secret := "whsec_e2e_" + randomHex(t)
	dir := t.TempDir()
	reports, saved := filepath.Join(dir, "report"), filepath.Join(dir, "fixtures")

	out, code := runMvh(t, mvh, 3*time.Minute, "conform",
		"--cmd", shq(faulty)+" --defect accept-unsigned --addr 127.0.0.1:{port} --secret {secret}",
		"--secret", secret, "--only", e2eChecks, "--report-dir", reports, "--save-fixtures", saved)
	if code != 1 {
		t.Fatalf("mvh conform exited %d, want 1 (a MUST check fails):\n%s", code, out)
	}
	doc := readDocument(t, reports)
	checkJUnit(t, reports, doc)
	failed := findCheck(t, doc, "signature.missing")
	if failed.Status != StatusFailed {
		t.Fatalf("signature.missing is %s, want failed", failed.Status)
	}
	addr := freeAddr(t)
	url := "http://" + addr + "/webhooks/minivoice"
	logs := startProcess(t, url, faulty, "--defect", "accept-unsigned", "--addr", addr, "--secret", secret)

	// The script defaults URL to where the run sent (a --cmd port that is
	// gone); like a user, the test exports URL for the receiver it started.
	script := htmlRepro(t, reports, "signature.missing")
	got := runRepro(t, script, bin, secret, "URL="+url)
	want := strconv.Itoa(failing(failed.Evidence)[0].Response.Status)
	if got != want {
		t.Errorf("reproduction printed %s, the run got %s; script:\n%s", got, want, script)
	}
	replay, code := runMvh(t, mvh, time.Minute, "fixtures", "replay", "--dir", saved, "--to", "http://"+addr, "--secret", secret)
	if code != 1 || !strings.Contains(replay, "✗ signature.missing-1") {
		t.Errorf("fixtures replay exited %d, want 1 with signature.missing-1 failing:\n%s", code, replay)
	}
	noSecret(t, secret, map[string][]byte{"conform output": []byte(out), "replay output": []byte(replay), "receiver log": logs.Bytes()}, reports, saved)
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// runMvh runs mvh with a deadline and returns its combined output and exit code.
func runMvh(t *testing.T, mvh string, limit time.Duration, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, mvh, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return string(out), exit.ExitCode()
	}
	t.Fatalf("mvh %s: %v\n%s", strings.Join(args, " "), err, out)
	return "", 0
}

func readDocument(t *testing.T, dir string) Document {
	t.Helper()
	for _, f := range []string{JUnitFile, JSONFile, MarkdownFile, HTMLFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("report %s: %v", f, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if doc.SchemaVersion != SchemaVersion || doc.Verdict != VerdictFail {
		t.Errorf("report.json: schema %d verdict %q, want %d and fail", doc.SchemaVersion, doc.Verdict, SchemaVersion)
	}
	return doc
}

// checkJUnit parses junit.xml with Ginkgo's own model and wants exactly one
// testcase per check of report.json, each carrying its ID and level.
func checkJUnit(t *testing.T, dir string, doc Document) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var suites ginkgoreporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("junit.xml is not valid XML: %v", err)
	}
	if len(suites.TestSuites) != 1 {
		t.Fatalf("junit.xml has %d suites, want 1", len(suites.TestSuites))
	}
	cases := suites.TestSuites[0].TestCases
	if len(cases) != len(doc.Checks) || len(cases) != len(strings.Split(e2eChecks, ",")) {
		t.Fatalf("junit.xml has %d testcases, report.json %d checks, want %d", len(cases), len(doc.Checks), len(strings.Split(e2eChecks, ",")))
	}
	for i, tc := range cases {
		c := doc.Checks[i]
		if tc.Properties == nil || tc.Properties.WithName("check_id") != c.ID || tc.Properties.WithName("level") != c.Level || !strings.Contains(tc.Name, c.ID) {
			t.Errorf("testcase %q does not carry check %s (%s)", tc.Name, c.ID, c.Level)
		}
	}
}

func findCheck(t *testing.T, doc Document, id string) Check {
	t.Helper()
	for _, c := range doc.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("report.json has no check %s", id)
	return Check{}
}

// htmlRepro is the reproduction as a reader copies it out of report.html.
func htmlRepro(t *testing.T, dir, id string) string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<pre class="repro" id="repro-` + regexp.QuoteMeta(id) + `">(.*?)</pre>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("report.html has no reproduction for %s", id)
	}
	return html.UnescapeString(string(m[1]))
}

// runRepro runs a reproduction with the real mvh on PATH.
func runRepro(t *testing.T, script, bin, secret string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "MVH_SECRET="+secret)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reproduction: %v\n%s\n--- script:\n%s", err, out, script)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// noSecret greps every file under dirs and every named output for secret.
func noSecret(t *testing.T, secret string, outputs map[string][]byte, dirs ...string) {
	t.Helper()
	for name, data := range outputs {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s contains the secret", name)
		}
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil && bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains the secret", path)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
}
