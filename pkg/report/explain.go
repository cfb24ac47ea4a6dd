package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/certlint/certlint/pkg/explain"
)

// This file renders the explain command: an answer to one looked-up code
// or log line, and the list of known codes.

// WriteExplanation prints the entries an explain lookup found, blank line
// between them; an answer found by the one number in a line no code reads
// says so first.
func WriteExplanation(w io.Writer, ans *explain.Answer) error {
	if ans.By == "number" && ans.Input != fmt.Sprint(ans.Number) && strings.TrimLeft(ans.Input, "+-") != fmt.Sprint(ans.Number) {
		fmt.Fprintf(w, "no code reads %q; the codes numbered %d:\n\n", Clean(ans.Input), ans.Number)
	}
	for i, e := range ans.Entries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeEntry(w, e)
	}
	return nil
}

// WriteExplanationJSON writes `explain -o json`
// (docs/schema/certlint-v1.json#/$defs/explain).
func WriteExplanationJSON(w io.Writer, ans *explain.Answer) error {
	return writeIndented(w, struct {
		Schema string `json:"schema"`
		*explain.Answer
	}{Schema, ans})
}

func writeEntry(w io.Writer, e *explain.Entry) {
	fmt.Fprintf(w, "%s: %s  [%s]\n", e.Family, e.Code, e.Status)
	fmt.Fprintf(w, "  devices:  %s\n", strings.Join(e.Devices, ", "))
	fmt.Fprintf(w, "  meaning:  %s\n", e.Meaning)
	fmt.Fprintf(w, "  cause:    %s\n", e.Cause)
	if len(e.Checks) > 0 {
		fmt.Fprintf(w, "  detected: certlint check -d %s (checks %s)\n", e.Devices[0], strings.Join(e.Checks, ", "))
	} else {
		fmt.Fprintf(w, "  detected: no certlint check (not a certificate or TLS-setting problem)\n")
	}
	fmt.Fprintf(w, "  fix:      %s\n", e.Fix)
	for _, s := range e.Sources {
		line := s.Ref
		if s.URL != "" {
			line += " — " + s.URL
		}
		fmt.Fprintf(w, "  source:   %s [%s]\n", line, s.Confidence)
	}
}

// WriteKnownCodes prints `explain --list`: each family with its devices,
// then its codes, one a line.
func WriteKnownCodes(w io.Writer, fams []explain.CodeFamily) error {
	for i, cf := range fams {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s):\n", cf.Name, strings.Join(cf.Devices, ", "))
		for _, c := range cf.Codes {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
	return nil
}

// WriteKnownCodesJSON writes `explain --list -o json`
// (docs/schema/certlint-v1.json#/$defs/explainList).
func WriteKnownCodesJSON(w io.Writer, fams []explain.CodeFamily) error {
	return writeIndented(w, struct {
		Schema   string               `json:"schema"`
		Families []explain.CodeFamily `json:"families"`
	}{Schema, fams})
}
