package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// liveLine shows what a run is doing while it takes long: on a terminal a
// spinner with the elapsed time (schollz/progressbar, the library mvh load's
// bar uses), elsewhere (a CI log) a plain line every plainEvery. Something
// is shown only once it has lasted after: a check that takes milliseconds
// leaves no trace.
type liveLine struct {
	w     io.Writer
	tty   bool
	after time.Duration
	every time.Duration // plain lines; a terminal redraws more often

	mu    sync.Mutex
	label string
	since time.Time
	bar   *progressbar.ProgressBar
	tick  *time.Ticker
	done  chan struct{}
}

// newLiveLine writes to w, a terminal when it is one.
func newLiveLine(w io.Writer) *liveLine {
	f, ok := w.(*os.File)
	return &liveLine{w: w, tty: ok && isatty.IsTerminal(f.Fd()), after: time.Second, every: plainEvery}
}

// Show starts showing what ("" clears the line); the check or step it
// names replaces the one before.
func (l *liveLine) Show(what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopLocked()
	if what == "" {
		return
	}
	l.label, l.since, l.done = what, time.Now(), make(chan struct{})
	period := l.every
	if l.tty {
		period = 200 * time.Millisecond
	}
	l.tick = time.NewTicker(period)
	go l.run(l.tick.C, l.done)
}

// Clear removes the line, before a check's own line is printed.
func (l *liveLine) Clear() { l.Show("") }

func (l *liveLine) run(tick <-chan time.Time, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-tick:
			l.render()
		}
	}
}

func (l *liveLine) render() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		return
	}
	elapsed := time.Since(l.since)
	if elapsed < l.after {
		return
	}
	desc := fmt.Sprintf("%s (%s)", l.label, elapsed.Round(time.Second))
	if !l.tty {
		fmt.Fprintf(l.w, "mvh: %s: still running after %s\n", l.label, elapsed.Round(time.Second))
		return
	}
	if l.bar == nil {
		l.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(l.w), progressbar.OptionSpinnerType(14),
			progressbar.OptionClearOnFinish(), progressbar.OptionSetElapsedTime(false))
	}
	l.bar.Describe(desc)
	_ = l.bar.Add(1)
}

func (l *liveLine) stopLocked() {
	if l.done == nil {
		return
	}
	l.tick.Stop()
	close(l.done)
	l.done = nil
	if l.bar != nil {
		_ = l.bar.Clear()
		l.bar = nil
	}
}
