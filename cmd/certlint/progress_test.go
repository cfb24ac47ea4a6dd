package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestProgressBarCounts: no frame of the bar counts more failures than
// targets done (the bar once showed "(61 failed) … (60/61)"), the counts
// reach the last target before the end, and the finished bar is cleared.
func TestProgressBarCounts(t *testing.T) {
	var out strings.Builder
	report := progressBar(&out)
	for done := 1; done <= 4; done++ {
		report(done, 4, done) // every target fails
	}
	frameRE := regexp.MustCompile(`^checking(?: \((\d+) failed\))? .*\((\d+)/4\)`)
	frames := strings.Split(out.String(), "\r")
	seen := 0
	for _, f := range frames {
		m := frameRE.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		failed, _ := strconv.Atoi(m[1])
		done, _ := strconv.Atoi(m[2])
		if failed > done {
			t.Errorf("frame %q counts %d failed of %d done", f, failed, done)
		}
		if done == 3 && failed == 3 {
			seen++
		}
	}
	if seen == 0 {
		t.Errorf("no frame showed 3 failed of 3 done:\n%q", out.String())
	}
	if last := frames[len(frames)-1]; strings.TrimSpace(last) != "" || frameRE.MatchString(strings.TrimSpace(frames[len(frames)-2])) {
		t.Errorf("the finished bar is not cleared:\n%q", out.String())
	}
}

// TestProgressFrame pins the frame's layout: failures, percentage, bar,
// count, time elapsed and the time left at the rate so far.
func TestProgressFrame(t *testing.T) {
	for _, tc := range []struct {
		done, total, failed int
		elapsed             time.Duration
		want                string
	}{
		{0, 50, 0, 0, "checking (0 failed)   0% |                    | (0/50) [0s:0s]"},
		{20, 50, 2, 3 * time.Second, "checking (2 failed)  40% |████████            | (20/50) [3s:5s]"},
		{49, 50, 49, 98 * time.Second, "checking (49 failed)  98% |███████████████████ | (49/50) [1m38s:2s]"},
	} {
		if got := progressFrame(tc.done, tc.total, tc.failed, tc.elapsed); got != tc.want {
			t.Errorf("progressFrame(%d, %d, %d, %s)\n got %q\nwant %q", tc.done, tc.total, tc.failed, tc.elapsed, got, tc.want)
		}
	}
}

// TestProgressBarBlanksLongerFrame: a frame shorter than the one before it
// is padded with spaces, so no character of the older frame stays visible.
func TestProgressBarBlanksLongerFrame(t *testing.T) {
	var out strings.Builder
	report := progressBar(&out)
	report(1, 10, 10) // "(10 failed)": one rune longer than the next frame's
	report(2, 10, 0)
	frames := strings.Split(out.String(), "\r")
	if len(frames) != 3 {
		t.Fatalf("want 2 frames, got %q", out.String())
	}
	if a, b := utf8.RuneCountInString(frames[1]), utf8.RuneCountInString(frames[2]); b < a {
		t.Errorf("second frame %q (%d runes) does not cover the first %q (%d runes)", frames[2], b, frames[1], a)
	}
}
