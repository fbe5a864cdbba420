package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/minivoice/mvh/loadgen"
)

// report writes --output and --html, then the result on stdout (text or
// --json), and turns a failed run into exit 1.
func report(a *app, res *loadgen.Result, asJSON bool, output, html string) error {
	if output != "" {
		if err := loadgen.WriteFile(output, res); err != nil {
			return usagef("--output: %w", err)
		}
	}
	if html != "" {
		if err := writeHTML(html, res); err != nil {
			return usagef("--html: %w", err)
		}
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	} else if err := res.WriteText(a.stdout); err != nil {
		return err
	}
	if res.Failed() {
		return silentFailure
	}
	return nil
}

func writeHTML(path string, res *loadgen.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := res.WriteHTML(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// plainEvery is how often a run without a terminal prints a progress line.
const plainEvery = 5 * time.Second

// loadProgress shows a run's progress on stderr: a live bar on a terminal
// (schollz/progressbar), a plain line every few seconds otherwise.
type loadProgress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	last  time.Time
	total time.Duration
}

func newLoadProgress(w io.Writer, d time.Duration) *loadProgress {
	p := &loadProgress{w: w, total: d, last: time.Now()}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		p.bar = progressbar.NewOptions64(d.Milliseconds(), progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("load"), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetPredictTime(false), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(200*time.Millisecond))
	}
	return p
}

// update is loadgen.Options.Progress.
func (p *loadProgress) update(s loadgen.Progress) {
	line := fmt.Sprintf("%d sent, %d 2xx, %d failed", s.Sent, s.Status2xx, s.Failed)
	if p.bar != nil {
		p.bar.Describe("load: " + line)
		_ = p.bar.Set64(min(s.Elapsed, s.Duration).Milliseconds())
		return
	}
	if time.Since(p.last) >= plainEvery {
		p.last = time.Now()
		fmt.Fprintf(p.w, "load: %s of %s: %s\n", min(s.Elapsed, s.Duration).Round(time.Second), s.Duration, line)
	}
}

// done clears the bar.
func (p *loadProgress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
