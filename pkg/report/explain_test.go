package report_test

import (
	"bytes"
	"testing"

	"github.com/certlint/certlint/pkg/explain"
	"github.com/certlint/certlint/pkg/report"
)

// Fixed explain answers for the renderers' golden files, so a changed code
// table changes no golden file here (the CLI stories cover the real table).

func answerEntries() []*explain.Entry {
	return []*explain.Entry{
		{Family: "Board A", Code: "-456 BAD_CA", Number: -456, Devices: []string{"board-a", "board-b"}, Status: "documented",
			Meaning: "the CA file is bad", Cause: "the root is not in the file", Checks: []string{"trust-anchor", "ca-file"},
			Fix: "load the right root", Sources: []explain.Source{
				{Ref: "Board A manual §7", URL: "https://example.com/a", Confidence: "vendor-doc"},
				{Ref: "forum thread", Confidence: "field-report"},
			}},
		{Family: "Board C", Code: "Error:456", Number: 456, Devices: []string{"board-c"}, Status: "observed",
			Meaning: "out of memory", Cause: "the heap is full", Checks: []string{}, Fix: "free memory first",
			Sources: []explain.Source{{Ref: "issue 12", Confidence: "field-report"}}},
	}
}

func TestGoldenExplanation(t *testing.T) {
	for name, ans := range map[string]*explain.Answer{
		// Found by pattern: the entries only.
		"explain-pattern": {Input: "log: -456 BAD_CA", By: "pattern", Entries: answerEntries()[:1]},
		// Found by the one number in a line no code reads: said first.
		"explain-number": {Input: "oops:456", By: "number", Number: 456, Entries: answerEntries()},
		// A bare number: nothing to say first.
		"explain-bare": {Input: "-456", By: "number", Number: 456, Entries: answerEntries()},
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".txt", render(t, func(b *bytes.Buffer) error { return report.WriteExplanation(b, ans) }))
			golden(t, name+".json", render(t, func(b *bytes.Buffer) error { return report.WriteExplanationJSON(b, ans) }))
		})
	}
}

func TestGoldenKnownCodes(t *testing.T) {
	fams := []explain.CodeFamily{
		{Family: "board-a", Name: "Board A", Devices: []string{"board-a", "board-b"}, Codes: []string{"-456 BAD_CA", "-461 DATE"}},
		{Family: "board-c", Name: "Board C", Devices: []string{"board-c"}, Codes: []string{"Error:456"}},
	}
	golden(t, "explain-list.txt", render(t, func(b *bytes.Buffer) error { return report.WriteKnownCodes(b, fams) }))
	golden(t, "explain-list.json", render(t, func(b *bytes.Buffer) error { return report.WriteKnownCodesJSON(b, fams) }))
}
