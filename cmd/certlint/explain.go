package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/explain"
	"github.com/certlint/certlint/pkg/report"
)

func newExplainCmd() *cobra.Command {
	var device string
	cmd := &cobra.Command{
		Use:   "explain CODE|LOG-LINE",
		Short: "Explain an error a device printed: meaning, cause, the check that detects it, the fix",
		Long: `Explain maps what a device prints when TLS fails to its meaning, the likely
cause, the certlint checks that detect that cause and the fix, citing where
each meaning comes from. Paste the code or the whole log line; matching is
case-insensitive. A bare number matches every device's code with that number
(WiPy's OSError 456 is SimpleLink's -456); --device narrows.

Where the vendor never published a meaning (SPWF04 Certificate Error:N), the
entry says what was observed in field reports and marks it "observed".

Exit codes: 0 explained, 2 unknown code or device (the known codes are listed).`,
		Example: `  certlint explain "AT-S.Certificate Error:23"
  certlint explain "OSError: 456" --device wipy
  certlint explain -- -155
  certlint explain 111 --device spwf04`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], device)
		},
	}
	cmd.Flags().StringVarP(&device, "device", "d", "", "only codes of device `ID` (an ID or alias; @FIRMWARE is ignored)")
	return cmd
}

func runExplain(stdout, stderr io.Writer, input, device string) error {
	tab, err := explain.Load()
	if err != nil {
		return err
	}
	id, err := explainDevice(device)
	if err != nil {
		return err
	}
	entries, err := tab.Explain(input, id)
	if errors.Is(err, explain.ErrUnknownCode) {
		fmt.Fprintf(stderr, "certlint: %s\n", report.Clean(err.Error()))
		writeKnownCodes(stderr, tab, id)
		return exitCodeError{exitError}
	}
	if err != nil {
		return err
	}
	for i, e := range entries {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		writeEntry(stdout, e)
	}
	return nil
}

// explainDevice resolves --device through the profile registry, so aliases
// (spwf04sa) and variants (spwf04@1.0) name the same code table.
func explainDevice(device string) (string, error) {
	if device == "" {
		return "", nil
	}
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		return "", fmt.Errorf("built-in profiles: %w", err)
	}
	p, err := reg.Get(device)
	if err != nil {
		return "", fmt.Errorf("--device: %w", err)
	}
	return p.ID, nil
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

func writeKnownCodes(w io.Writer, tab *explain.Table, device string) {
	devices := tab.Devices()
	if device != "" {
		devices = []string{device}
	}
	for _, d := range devices {
		var codes []string
		for _, e := range tab.Entries(d) {
			codes = append(codes, e.Code)
		}
		fmt.Fprintf(w, "known codes for %s: %s\n", d, strings.Join(codes, "; "))
	}
}
