package explain_test

import (
	"errors"
	"io"
	"testing"

	"github.com/certlint/certlint/pkg/explain"
	"github.com/certlint/certlint/pkg/report"
)

// FuzzLookup pastes arbitrary log lines into explain, for one device or
// for all (picked by the fuzzer): an answer or an error wrapping
// ErrUnknownCode, never a panic, and an answer renders as text and JSON.
func FuzzLookup(f *testing.F) {
	tab, err := explain.Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range tab.Entries("") {
		for _, ex := range e.Examples {
			f.Add(ex, uint8(0))
		}
	}
	f.Add("Error:3 and -456", uint8(1))
	f.Add("\u2212468", uint8(2))
	devices := append([]string{""}, tab.Devices()...)
	f.Fuzz(func(t *testing.T, line string, pick uint8) {
		device := devices[int(pick)%len(devices)]
		ans, err := tab.Lookup(line, device)
		if err != nil {
			if !errors.Is(err, explain.ErrUnknownCode) && explain.Normalize(line) != "" {
				t.Fatalf("Lookup(%q, %q): %v, not ErrUnknownCode", line, device, err)
			}
			return
		}
		if len(ans.Entries) == 0 {
			t.Fatalf("Lookup(%q, %q): an answer without entries", line, device)
		}
		if err := report.WriteExplanation(io.Discard, ans); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteExplanationJSON(io.Discard, ans); err != nil {
			t.Fatal(err)
		}
	})
}
