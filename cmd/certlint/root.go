package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
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
	w := cmd.OutOrStdout()
	if f.output == "json" {
		return writeJSON(w, newRootJSON(exp, written))
	}
	writeRootInstructions(w, exp)
	if written == "" {
		fmt.Fprintf(w, "\n%s (%s, %d bytes; nothing written, use --out DIR):\n%s", exp.FileName, strings.ToUpper(exp.Format), len(exp.Content), exp.ContentText())
		return nil
	}
	fmt.Fprintf(w, "\nwrote %s (%s, %d bytes)\n", written, strings.ToUpper(exp.Format), len(exp.Content))
	return nil
}

// rootRefused reports that the device cannot hold the root: on stderr in
// text, as the document's refusal in JSON; exit 1 either way.
func rootRefused(cmd *cobra.Command, r *certlint.RootRefusal, f rootFlags) error {
	if f.output == "json" {
		doc := rootJSON{Schema: report.Schema, Device: r.Device, Refusal: &rootRefusalJSON{Root: r.Root, Reason: r.Reason, Instead: r.Instead}}
		if err := writeJSON(cmd.OutOrStdout(), doc); err != nil {
			return err
		}
		return exitCodeError{exitFail}
	}
	head := fmt.Sprintf("certlint: %s cannot hold %s", r.Device, report.Clean(r.Root))
	if useColor(f.noColor) {
		c := color.New(color.FgRed, color.Bold)
		c.EnableColor()
		head = c.Sprint(head)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s\n  why: %s\n  instead: %s\n", head, report.Clean(r.Reason), report.Clean(r.Instead))
	return exitCodeError{exitFail}
}

// rootJSON is `certlint root -o json` (docs/schema/certlint-v1.json#/$defs/root).
type rootJSON struct {
	Schema     string           `json:"schema"`
	Device     string           `json:"device"`
	DeviceName string           `json:"device_name,omitempty"`
	Source     string           `json:"source,omitempty"`
	Root       *report.Cert     `json:"root,omitempty"`
	Anchors    string           `json:"anchors,omitempty"`
	Format     string           `json:"format,omitempty"`
	FileName   string           `json:"file_name,omitempty"`
	DevicePath string           `json:"device_path,omitempty"`
	Content    []byte           `json:"content,omitempty"`
	At         *time.Time       `json:"at,omitempty"`
	Steps      []string         `json:"steps,omitempty"`
	Snippet    string           `json:"snippet,omitempty"`
	Notes      []string         `json:"notes,omitempty"`
	Written    string           `json:"written,omitempty"`
	Refusal    *rootRefusalJSON `json:"refusal,omitempty"`
	// Pins are what to pin instead of the root, for a device that pins.
	Pins []constraints.PinForm `json:"pins,omitempty"`
	// Held says whether each --pin still matches.
	Held []certlint.HeldPin `json:"held_pins,omitempty"`
}

type rootRefusalJSON struct {
	Root    string `json:"root"`
	Reason  string `json:"reason"`
	Instead string `json:"instead"`
}

func newRootJSON(e *certlint.RootExport, written string) rootJSON {
	root := report.NewCert(e.Root)
	at := e.At.UTC()
	return rootJSON{
		Schema: report.Schema, Device: e.Device, DeviceName: e.DeviceName, Source: e.Source, Root: &root,
		Anchors: e.Anchors, Format: e.Format, FileName: e.FileName, DevicePath: e.DevicePath, Content: e.Content,
		At: &at, Steps: e.Steps, Snippet: e.Snippet, Notes: e.Notes, Written: written, Pins: e.Pins, Held: e.Held,
	}
}

func writeRootInstructions(w io.Writer, e *certlint.RootExport) {
	r := e.Root
	fmt.Fprintf(w, "root for %s (%s): %s\n", e.Device, e.DeviceName, report.Clean(r.Subject))
	fmt.Fprintf(w, "  chain     %s\n", report.Clean(e.Source))
	fmt.Fprintf(w, "  anchors   %s (root source: %s)\n", report.Clean(e.Anchors), r.Source)
	fmt.Fprintf(w, "  key       %s-%d, %s bytes DER, valid until %s\n", strings.ToUpper(r.KeyType), r.KeyBits, constraints.Thousands(len(r.Raw)), r.NotAfter.UTC().Format("2006-01-02"))
	fmt.Fprintf(w, "  SKI       %s\n", r.SKIHex())
	fmt.Fprintf(w, "  SHA-256   %s\n", r.SHA256)
	where := e.FileName
	if e.DevicePath != "" && e.DevicePath != e.FileName {
		where += " → " + e.DevicePath
	}
	fmt.Fprintf(w, "  file      %s (%s, %s bytes)\n", where, strings.ToUpper(e.Format), constraints.Thousands(len(e.Content)))
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
	writePinForms(w, e)
}

// writePinForms prints, for a device that can pin, what to pin instead of
// holding the root, each with how long it lasts, against the root above.
func writePinForms(w io.Writer, e *certlint.RootExport) {
	for _, h := range e.Held {
		switch {
		case h.Call == "":
			fmt.Fprintf(w, "\npin %s (%s): %s cannot hold a pin of this kind\n", report.Clean(h.Pin), h.Origin, e.DeviceName)
		case h.Matches:
			fmt.Fprintf(w, "\npin %s (%s) still matches what %s compares (%s)\n", report.Clean(h.Pin), h.Origin, e.DeviceName, h.Call)
		default:
			fmt.Fprintf(w, "\npin %s (%s) no longer matches the leaf served now (%s): pin a value below\n", report.Clean(h.Pin), h.Origin, h.Call)
		}
	}
	if len(e.Pins) == 0 {
		return
	}
	fmt.Fprintf(w, "\nor pin the server instead (%s can; the chain is then not validated):\n", e.DeviceName)
	for _, f := range e.Pins {
		switch {
		case !strings.Contains(f.Value, "\n"):
			fmt.Fprintf(w, "  %s %q\n", f.Call, f.Value)
		case f.Code != "":
			fmt.Fprintf(w, "  %s (%s, in the code below)\n", f.Call, f.Kind)
		default:
			fmt.Fprintf(w, "  %s\n%s\n", f.Call, f.Value)
		}
		fmt.Fprintf(w, "    lasts: %s\n", f.Lasts)
		if f.Cost != "" {
			fmt.Fprintf(w, "    cost:  %s\n", f.Cost)
		}
		if f.Code != "" {
			fmt.Fprintf(w, "\n%s\n\n", strings.TrimRight(f.Code, "\n"))
		}
	}
	fmt.Fprintf(w, "  the root above: survives every renewal under it, until %s; costs %s bytes of DER in flash, a full chain validation and a set clock\n",
		e.Root.NotAfter.UTC().Format("2006-01-02"), constraints.Thousands(len(e.Root.Raw)))
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

// writeJSON writes one indented JSON document.
func writeJSON(w io.Writer, v interface{}) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
