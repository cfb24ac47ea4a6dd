package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

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

// negativeCode is an argument that is a negative error code, not a flag
// (compiled on first use: only explain's arguments are matched).
var negativeCode = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-\x{2212}]\d`) })

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
		case negativeCode().MatchString(a) || !strings.HasPrefix(a, "-"):
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
		if f.output == "json" {
			return report.WriteKnownCodesJSON(stdout, tab.Codes(id))
		}
		return report.WriteKnownCodes(stdout, tab.Codes(id))
	}
	ans, err := tab.Lookup(input, id)
	if errors.Is(err, explain.ErrUnknownCode) {
		return fmt.Errorf("%s; `certlint explain --list%s` shows the known codes", report.Clean(err.Error()), deviceFlag(id))
	}
	if err != nil {
		return err
	}
	if f.output == "json" {
		return report.WriteExplanationJSON(stdout, ans)
	}
	return report.WriteExplanation(stdout, ans)
}

func deviceFlag(id string) string {
	if id == "" {
		return ""
	}
	return " -d " + id
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
