package main

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/report/rootexport"
)

type rootFlags struct {
	chainFile    string
	pcapFile     string
	ca           string
	device       string
	out          string
	force        bool
	serverName   string
	resolver     string
	timeout      time.Duration
	at           string
	output       string
	noColor      bool
	saveChain    string
	profileFiles []string
	pins         []string
}

// newExportRootCmd is `certlint root`; newRootCmd is the top-level command.
func newExportRootCmd() *cobra.Command {
	var f rootFlags
	cmd := &cobra.Command{
		Use:   "root TARGET|--chain FILE|--pcap FILE --device ID",
		Short: "Write the root that anchors a chain the way a device loads it",
		Long: `Root finds the root certificate that anchors the chain a server sends (or a
chain file, or a capture's handshake) and prints it the way the device needs
it: the format its CA slot takes, the file name (SPWF04: <ski-hex>.ca; WiPy:
ca.pem holding DER), where it goes and the commands or code to load it.
A private root the chain does not carry is given with --ca FILE; --at sets
the date the steps put on the device's clock (default now).

Without --out nothing is written: the instructions and the file content go to
stdout (PEM as is, DER as base64 with the command that decodes it). With
--out DIR the file is written there; an existing file is kept unless --force.
--save-chain FILE keeps the chain as served (PEM, served order).
For a device that can pin its server (trust.pins in its profile), the pin
forms follow: the value to pin now in the device's syntax, device code, how
long each lasts.

Exit codes: 0 written or printed, 1 the device cannot hold this root (no SKI
where one is needed, too big, a key the device lacks; the reason and what
would work are printed), 2 bad input, no root found, or a network error.`,
		Example: `  certlint root myhub.azure-devices.net:8883 --device spwf04
  certlint root --chain examples/bing-2019.pem --device wipy --out cert/ --at 2019-06-01
  certlint root --chain examples/BaltimoreCyberTrustRoot.crt.pem -d spwf04 --out . --force
  certlint root --chain examples/bing-2019.pem -d spwf04 -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRoot(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.chainFile, "chain", "", "read the chain from `FILE` instead of dialling (PEM, DER or PKCS#7; - reads stdin)")
	fl.StringVar(&f.pcapFile, "pcap", "", "read the chain from the first handshake of a packet capture `FILE` that shows one (with --servername: of that name)")
	fl.StringVar(&f.ca, "ca", "", "a CA `FILE` holding the root (PEM or DER), for a private root the chain does not carry")
	fl.StringVarP(&f.device, "device", "d", "", "the device `ID` (ID@FIRMWARE for a variant) whose format to write")
	fl.StringVar(&f.out, "out", "", "write the root file into `DIR`")
	fl.BoolVar(&f.force, "force", false, "overwrite an existing file (--out, --save-chain)")
	fl.StringVar(&f.serverName, "servername", "", "`NAME` sent as SNI (default the target host)")
	fl.StringVar(&f.resolver, "resolver", "", "DNS server `IP[:PORT]` (default: the system's)")
	fl.DurationVar(&f.timeout, "timeout", certlint.DefaultTimeout, "time limit `DUR` for DNS, dial and handshake")
	fl.StringVar(&f.at, "at", "", "the device's clock `TIME` the steps set, RFC 3339 or YYYY-MM-DD (default: now)")
	fl.StringVarP(&f.output, "output", "o", "text", "output `FORMAT`: text or json")
	fl.BoolVar(&f.noColor, "no-color", false, "no colour (also NO_COLOR)")
	fl.StringVar(&f.saveChain, "save-chain", "", "write the chain as served to `FILE` (PEM, served order), to attach to a ticket and re-run with --chain")
	fl.StringArrayVar(&f.profileFiles, "profile-file", nil, "load a custom device profile from `FILE` (repeatable)")
	fl.StringArrayVar(&f.pins, "pin", nil, "a pin `VALUE` the device holds now (repeatable; any spelling check takes): the answer says whether it still matches")
	return cmd
}

func runRoot(cmd *cobra.Command, args []string, f rootFlags) error {
	req := certlint.RootRequest{
		ChainFile: f.chainFile, PcapFile: f.pcapFile, CAFile: f.ca, Stdin: cmd.InOrStdin(), Device: f.device,
		ProfileFiles: f.profileFiles, ServerName: f.serverName, Resolver: f.resolver, Timeout: f.timeout, Pins: f.pins, PinsName: "--pin",
	}
	if len(args) == 1 {
		req.Target = args[0]
	}
	if f.timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive", f.timeout)
	}
	if err := textOrJSON(f.output); err != nil {
		return err
	}
	if f.at != "" {
		at, err := parseAt(f.at)
		if err != nil {
			return err
		}
		req.At = at
	}
	if err := checkSaveChain(f.saveChain, f.force); err != nil {
		return err
	}
	exp, err := certlint.ExportRoot(cmd.Context(), req)
	var refusal *certlint.RootRefusal
	switch {
	case errors.As(err, &refusal):
		return rootRefused(cmd, refusal, f)
	case errors.Is(err, certlint.ErrNoInput):
		return errors.New("nothing to read: give a TARGET (host[:port] or URL), --chain FILE or --pcap FILE")
	case errors.Is(err, certlint.ErrManyInputs):
		return errors.New("give one of a TARGET, --chain FILE or --pcap FILE")
	case errors.As(err, new(*certlint.RootNotFound)):
		return fmt.Errorf("%w (give the root with --ca FILE, or a chain that ends at a root with --chain)", err)
	case err != nil:
		return err
	}
	if err := saveChain(f.saveChain, f.force, exp.Served); err != nil {
		return err
	}
	written := ""
	if f.out != "" {
		written, err = exp.WriteFile(f.out, f.force)
		var exists *fs.PathError
		if errors.As(err, &exists) && errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("--out %s: file exists (add --force to overwrite)", exists.Path)
		}
		if err != nil {
			return err
		}
	}
	if f.output == "json" {
		return rootexport.WriteJSON(cmd.OutOrStdout(), exp, written)
	}
	return rootexport.WriteText(cmd.OutOrStdout(), exp, written)
}

// rootRefused reports that the device cannot hold the root: on stderr in
// text, as the document's refusal in JSON; exit 1 either way.
func rootRefused(cmd *cobra.Command, r *certlint.RootRefusal, f rootFlags) error {
	var err error
	if f.output == "json" {
		err = rootexport.WriteRefusalJSON(cmd.OutOrStdout(), r)
	} else {
		err = rootexport.WriteRefusal(cmd.ErrOrStderr(), r, useColor(f.noColor))
	}
	if err != nil {
		return err
	}
	return exitCodeError{exitFail}
}

// checkSaveChain refuses a --save-chain the run could not write, before
// anything is dialled: stdout (it holds the report) or an existing file
// without --force.
func checkSaveChain(path string, force bool) error {
	if path == "-" {
		return errors.New("--save-chain -: give a file name (stdout holds the report)")
	}
	return refuseExisting("--save-chain", path, force)
}

// saveChain writes the chain as served to path (--save-chain), as PEM in
// served order; nothing when path is empty.
func saveChain(path string, force bool, served []*chain.Cert) error {
	if path == "" {
		return nil
	}
	if len(served) == 0 {
		return errors.New("--save-chain: the server sent no certificate")
	}
	out, err := createFile(path, force)
	if err != nil {
		return fmt.Errorf("--save-chain: %w", err)
	}
	if _, err := out.Write(chain.EncodePEM(served)); err != nil {
		out.Close()
		return fmt.Errorf("--save-chain: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("--save-chain: %w", err)
	}
	return nil
}
