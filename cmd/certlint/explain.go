package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/explain"
	"github.com/certlint/certlint/pkg/report"
)

type explainFlags struct {
	device string
	output string
	list   bool
}

func newExplainCmd() *cobra.Command {
	var f explainFlags
	cmd := &cobra.Command{
		Use:   "explain CODE|LOG-LINE...",
		Short: "Explain an error a device printed: meaning, cause, the check that detects it, the fix",
		Long: `Explain maps what a device prints when TLS fails to its meaning, the likely
cause, the certlint checks that detect that cause and the fix, citing where
each meaning comes from. Paste the code or the whole log line, quoted or not
(several words are one line; a negative code such as -456 needs no --);
case and spacing do not matter. A bare number matches every device's code
with that number (WiPy's OSError 456 is SimpleLink's -456); --device
narrows. A line no code matches but that holds one number (Error:3) is
looked up by that number, and the answer says so.

Where the vendor never published a meaning (SPWF04 Certificate Error:N), the
entry says what was observed in field reports and marks it "observed".
--list prints every known code, per device family.

Exit codes: 0 explained, 2 unknown code or device.`,
		Example: `  certlint explain "AT-S.Certificate Error:23"
  certlint explain AT-S.Certificate Error:22
  certlint explain "OSError: 456" --device wipy
  certlint explain -456
  certlint explain 111 --device spwf04 -o json
  certlint explain --list -d wipy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if f.list {
				return cobra.NoArgs(cmd, args)
			}
			if len(args) == 0 {
				return errors.New("give the CODE or LOG-LINE to explain (certlint explain --list shows the known codes)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd.OutOrStdout(), strings.Join(args, " "), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.device, "device", "d", "", "only codes of device `ID` (an ID or alias; @FIRMWARE is ignored)")
	fl.StringVarP(&f.output, "output", "o", "text", "output `FORMAT`: text or json")
	fl.BoolVar(&f.list, "list", false, "list every known code, per device family")
	return cmd
}

// negativeCode is an argument that is a negative error code, not a flag.
var negativeCode = regexp.MustCompile(`^[-\x{2212}]\d`)

// explainArgs lets `certlint explain -456` mean the code -456: the
// arguments of explain that are negative numbers are moved behind "--",
// keeping every code argument in the order given.
func explainArgs(args []string) []string {
	if len(args) == 0 || args[0] != "explain" {
		return args
	}
	flags, codes := []string{"explain"}, []string{}
	valued := map[string]bool{"-d": true, "--device": true, "-o": true, "--output": true}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			codes = append(codes, args[i+1:]...)
			i = len(args)
		case negativeCode.MatchString(a) || !strings.HasPrefix(a, "-"):
			codes = append(codes, a)
		case valued[a] && i+1 < len(args):
			flags = append(flags, a, args[i+1])
			i++
		default:
			flags = append(flags, a)
		}
	}
	if len(codes) == 0 {
		return flags
	}
	return append(append(flags, "--"), codes...)
}

func runExplain(stdout io.Writer, input string, f explainFlags) error {
	if err := textOrJSON(f.output); err != nil {
		return err
	}
	tab, err := explain.Load()
	if err != nil {
		return err
	}
	id, err := explainDevice(f.device)
	if err != nil {
		return err
	}
	if f.list {
		return writeKnownCodes(stdout, tab, id, f.output)
	}
	ans, err := tab.Lookup(input, id)
	if errors.Is(err, explain.ErrUnknownCode) {
		return fmt.Errorf("%s; `certlint explain --list%s` shows the known codes", report.Clean(err.Error()), deviceFlag(id))
	}
	if err != nil {
		return err
	}
	if f.output == "json" {
		return writeJSON(stdout, struct {
			Schema string `json:"schema"`
			*explain.Answer
		}{report.Schema, ans})
	}
	if ans.By == "number" && ans.Input != fmt.Sprint(ans.Number) && strings.TrimLeft(ans.Input, "+-") != fmt.Sprint(ans.Number) {
		fmt.Fprintf(stdout, "no code reads %q; the codes numbered %d:\n\n", report.Clean(ans.Input), ans.Number)
	}
	for i, e := range ans.Entries {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		writeEntry(stdout, e)
	}
	return nil
}

func deviceFlag(id string) string {
	if id == "" {
		return ""
	}
	return " -d " + id
}

// writeJSON writes one indented JSON document.
func writeJSON(w io.Writer, v interface{}) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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

// codeFamily is one device family's codes as --list shows them.
type codeFamily struct {
	Family  string   `json:"family"`
	Name    string   `json:"name"`
	Devices []string `json:"devices"`
	Codes   []string `json:"codes"`
}

// writeKnownCodes lists the codes once per family (CC3200 and WiPy share
// SimpleLink's), only the device's family with --device.
func writeKnownCodes(w io.Writer, tab *explain.Table, device, format string) error {
	var fams []codeFamily
	for _, fam := range tab.Families {
		cf := codeFamily{Family: fam.ID, Name: fam.Name, Devices: fam.Devices, Codes: []string{}}
		for _, e := range fam.Entries {
			if e.AppliesTo(device) {
				cf.Codes = append(cf.Codes, e.Code)
			}
		}
		if len(cf.Codes) > 0 {
			fams = append(fams, cf)
		}
	}
	if format == "json" {
		return writeJSON(w, struct {
			Schema   string       `json:"schema"`
			Families []codeFamily `json:"families"`
		}{report.Schema, fams})
	}
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
