package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// newProgress returns the batch progress callback for certlint.Request:
// a bar on stderr with targets done / total and failures so far, only when
// stderr is a terminal, so CI logs and redirected output get nothing extra.
// It returns nil otherwise (and for a single target, where a bar is noise).
func newProgress(stderr io.Writer, targets int) func(done, total, failed int) {
	f, ok := stderr.(*os.File)
	if !ok || targets < 2 || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return nil
	}
	return progressBar(f)
}

// progressBar draws the bar on w. The count is set before the failures are
// described, so the bar never shows a failure of a target it has not yet
// counted as done; at the end the bar is cleared.
func progressBar(w io.Writer) func(done, total, failed int) {
	var bar *progressbar.ProgressBar
	return func(done, total, failed int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("checking"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(0),
			)
		}
		if done >= total {
			_ = bar.Finish()
			return
		}
		_ = bar.Set(done)
		bar.Describe(fmt.Sprintf("checking (%d failed)", failed))
	}
}
