package reporters

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserTimeout bounds everything one browser test does.
const browserTimeout = 90 * time.Second

// chromium finds Debian's chromium (or another Chromium-based browser); the
// browser tests skip without one, except in CI (env CI set), where .ci/run
// installs it and a skip would hide a broken report.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MVH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found, and CI is set: install Debian's chromium package (.ci/run does)")
	}
	t.Skip("chromium not found: install Debian's chromium package to run the browser tests (CI always runs them)")
	return ""
}

// browser starts headless Chromium for one test and returns its context,
// bounded by browserTimeout. Flags: headless, no sandbox (tests run as root
// in CI containers), no GPU.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900))
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// artifactDir is where screenshots go: $MVH_ARTIFACTS_DIR when set (CI
// uploads it), else the test's temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MVH_ARTIFACTS_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// screenshot saves the whole page as a PNG artifact and returns its path.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// evalJS runs a read-only expression in the page.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func TestBrowserReportHTML(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	if _, err := WriteDir(dir, sampleReport(), sampleRun()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, HTMLFile)+"#check-signature.missing")); err != nil {
		t.Fatal(err)
	}
	verdict := evalJS[string](t, ctx, `document.getElementById("verdict").innerText`)
	if !strings.HasPrefix(verdict, "FAIL") || !strings.Contains(verdict, "signature.missing") {
		t.Errorf("verdict banner = %q, want FAIL naming signature.missing", verdict)
	}
	bg := evalJS[string](t, ctx, `getComputedStyle(document.getElementById("verdict")).backgroundColor`)
	if bg != "rgb(207, 34, 46)" {
		t.Errorf("verdict banner colour %s, want the failure red: inline CSS not applied?", bg)
	}
	for _, id := range []string{"check-signature.missing", "check-idempotency.redelivery", "check-ack.valid-delivery", "counts", "repro-signature.missing"} {
		if !evalJS[bool](t, ctx, `document.getElementById("`+id+`") !== null`) {
			t.Errorf("no element #%s", id)
		}
	}
	repro := evalJS[string](t, ctx, `document.getElementById("repro-signature.missing").innerText`)
	for _, want := range []string{"curl ", "--data-binary @body.json", "printf '%s'"} {
		if !strings.Contains(repro, want) {
			t.Errorf("reproduction lacks %q:\n%s", want, repro)
		}
	}
	if !strings.Contains(evalJS[string](t, ctx, `document.getElementById("repro-signature.rotation").innerText`), `mvh sign --secret whsec_minivoice_wrong --secret "$MVH_SECRET"`) {
		t.Error("rotation reproduction does not sign with a wrong then the real secret")
	}
	doc := JSON(sampleReport(), sampleRun())
	for _, c := range failedChecksOf(doc) {
		copied := evalJS[string](t, ctx, `document.getElementById("repro-`+c.ID+`").innerText`)
		if copied != Reproduction(c) {
			t.Errorf("%s: the reproduction a reader copies differs from the one generated:\n%s\n---\n%s", c.ID, copied, Reproduction(c))
		}
	}
	status := evalJS[string](t, ctx, `document.querySelector('[id="check-signature.missing"] .badge').innerText`)
	if status != "failed" {
		t.Errorf("signature.missing badge = %q", status)
	}
	links := evalJS[int](t, ctx, `[...document.querySelectorAll('#failing a')].filter(a => document.getElementById(a.getAttribute("href").slice(1))).length`)
	if links != 5 {
		t.Errorf("%d failing-check links resolve to anchors, want 5", links)
	}
	if n := evalJS[int](t, ctx, `document.scripts.length + document.querySelectorAll("link[rel=stylesheet], img, iframe").length`); n != 0 {
		t.Errorf("report.html has %d scripts or external resources, want none", n)
	}
	if strings.Contains(evalJS[string](t, ctx, `document.documentElement.outerHTML`), "s3cr3t") {
		t.Error("the rendered page shows the secret")
	}
	screenshot(t, ctx, "report-html.png")
}
