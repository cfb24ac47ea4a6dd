package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/report"
)

type rootFlags struct {
	chainFile    string
	device       string
	out          string
	force        bool
	serverName   string
	resolver     string
	timeout      time.Duration
	profileFiles []string
}

// newExportRootCmd is `certlint root`; newRootCmd is the top-level command.
func newExportRootCmd() *cobra.Command {
	var f rootFlags
	cmd := &cobra.Command{
		Use:   "root TARGET|--chain FILE --device ID",
		Short: "Write the root that anchors a chain the way a device loads it",
		Long: `Root finds the root certificate that anchors the chain a server sends (or a
chain file) and prints it the way the device needs it: the format its CA slot
takes, the file name (SPWF04: <ski-hex>.ca; WiPy: ca.pem holding DER), where
it goes and the commands or code to load it.

Without --out nothing is written: the instructions and the file content go to
stdout (PEM as is, DER as base64 with the command that decodes it). With
--out DIR the file is written there; an existing file is kept unless --force.

Exit codes: 0 written or printed, 1 the device cannot hold this root (no SKI
where one is needed, too big, a key the device lacks; the reason and what
would work are printed), 2 bad input, no root found, or a network error.`,
		Example: `  certlint root myhub.azure-devices.net:8883 --device spwf04
  certlint root --chain examples/bing-2019.pem --device wipy --out cert/
  certlint root --chain examples/BaltimoreCyberTrustRoot.crt.pem -d spwf04 --out . --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRoot(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.chainFile, "chain", "", "read the chain from `FILE` instead of dialling (PEM, DER or PKCS#7; - reads stdin)")
	fl.StringVarP(&f.device, "device", "d", "", "the device `ID` (ID@FIRMWARE for a variant) whose format to write")
	fl.StringVar(&f.out, "out", "", "write the root file into `DIR`")
	fl.BoolVar(&f.force, "force", false, "overwrite an existing file in --out")
	fl.StringVar(&f.serverName, "servername", "", "`NAME` sent as SNI (default the target host)")
	fl.StringVar(&f.resolver, "resolver", "", "DNS server `HOST:PORT` (default: the system's)")
	fl.DurationVar(&f.timeout, "timeout", certlint.DefaultTimeout, "time limit `DUR` for DNS, dial and handshake")
	fl.StringArrayVar(&f.profileFiles, "profile-file", nil, "load a custom device profile from `FILE` (repeatable)")
	return cmd
}

func runRoot(cmd *cobra.Command, args []string, f rootFlags) error {
	req := certlint.RootRequest{
		ChainFile: f.chainFile, Stdin: cmd.InOrStdin(), Device: f.device, ProfileFiles: f.profileFiles,
		ServerName: f.serverName, Resolver: f.resolver, Timeout: f.timeout,
	}
	if len(args) == 1 {
		req.Target = args[0]
	}
	if f.timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive", f.timeout)
	}
	exp, err := certlint.ExportRoot(cmd.Context(), req)
	var refusal *certlint.RootRefusal
	if errors.As(err, &refusal) {
		fmt.Fprintf(cmd.ErrOrStderr(), "certlint: %s cannot hold %s\n  why: %s\n  instead: %s\n",
			refusal.Device, report.Clean(refusal.Root), report.Clean(refusal.Reason), report.Clean(refusal.Instead))
		return exitCodeError{exitFail}
	}
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	writeRootInstructions(w, exp)
	if f.out == "" {
		fmt.Fprintf(w, "\n%s (%s, %d bytes; nothing written, use --out DIR):\n%s", exp.FileName, strings.ToUpper(exp.Format), len(exp.Content), exp.ContentText())
		return nil
	}
	dst, err := exp.WriteFile(f.out, f.force)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nwrote %s (%s, %d bytes)\n", dst, strings.ToUpper(exp.Format), len(exp.Content))
	return nil
}

func writeRootInstructions(w io.Writer, e *certlint.RootExport) {
	r := e.Root
	fmt.Fprintf(w, "root for %s (%s): %s\n", e.Device, e.DeviceName, report.Clean(r.Subject))
	fmt.Fprintf(w, "  anchors   %s (root source: %s)\n", report.Clean(e.Anchors), r.Source)
	fmt.Fprintf(w, "  key       %s-%d, %s bytes DER, valid until %s\n", strings.ToUpper(r.KeyType), r.KeyBits, report.Thousands(len(r.Raw)), r.NotAfter.UTC().Format("2006-01-02"))
	fmt.Fprintf(w, "  SKI       %s\n", r.SKIHex())
	fmt.Fprintf(w, "  SHA-256   %s\n", r.SHA256)
	where := e.FileName
	if e.DevicePath != "" && e.DevicePath != e.FileName {
		where += " → " + e.DevicePath
	}
	fmt.Fprintf(w, "  file      %s (%s, %s bytes)\n", where, strings.ToUpper(e.Format), report.Thousands(len(e.Content)))
	for _, n := range e.Notes {
		fmt.Fprintf(w, "  note      %s\n", n)
	}
	fmt.Fprintln(w, "\nsteps:")
	for i, s := range e.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	if e.Snippet != "" {
		fmt.Fprintf(w, "\n%s\n", e.Snippet)
	}
}
