package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
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
