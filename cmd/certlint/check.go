package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/report"
)

type checkFlags struct {
	devices      []string
	profileFiles []string
	ca           []string
	chainFile    string
	pcapFile     string
	clientCert   string
	serverName   string
	resolver     string
	timeout      time.Duration
	at           string
	until        string
	output       string
	failOn       string
	concurrency  int
	noColor      bool
	verbose      bool
	targetsFile  string
	outputFile   string
	force        bool
	baseline     string
	failOnChange bool
	saveChain    string
	pins         []string
	pinFile      string
	warnDays     int
	shard        string
}

func newCheckCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check [TARGET...]",
		Short: "Check a server (or a chain file) against device profiles",
		Long: `Check dials each TARGET the way the selected devices would and reports, per
device, whether the TLS setup will work, naming the certificate or setting
that breaks a limit.

TARGET is host[:port] (port 443 by default) or a URL: https:// (443),
mqtts:// (8883), amqps:// (5671). The name is resolved first; every CNAME
hop is shown and every address is checked (a fleet can land on any of them).
With --chain, a chain captured elsewhere (PEM bundle, concatenated DER,
PKCS#7) is checked offline instead; give --servername to check host names.

Exit codes: 0 every device passes (warnings allowed unless --fail-on warn),
1 some device fails, 2 the check could not be done.`,
		Example: `  # Will the SPWF04 module reach this Azure storage account?
  certlint check prax47.table.core.windows.net --device spwf04

  # MQTT over TLS, two devices, with the CA file the device holds, as JSON
  certlint check mqtts://myhub.azure-devices.net -d spwf04,cc3200 --ca examples/BaltimoreCyberTrustRoot.crt.pem -o json

  # A chain a customer pasted, with the device's clock on the day it broke
  certlint check --chain examples/bing-2019.pem --servername www.bing.com --at 2019-06-01

  # Old firmware: SPWF04 1.0.x could not verify RSA-4096 intermediates
  certlint check --chain examples/bing-2019.pem --at 2019-06-01 -d spwf04@1.0,spwf04

  # Does the fingerprint in the firmware still match? (it breaks at every renewal)
  certlint check --chain examples/bing-2019.pem --at 2019-06-01 -d esp8266 --pin "62:91:45:76:DC:0A:FA:C8:3C:48:04:BC:C2:C1:B7:00:A6:11:39:FE"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.devices, "device", "d", nil, "device `ID`s to check (repeatable or comma list; ID@FIRMWARE selects a variant; all = every profile, the default)")
	fl.StringArrayVar(&f.profileFiles, "profile-file", nil, "load a custom device profile from `FILE` (repeatable); select it with -d ITS_ID")
	fl.StringArrayVar(&f.ca, "ca", nil, "a CA `FILE` the device holds (PEM or DER; repeatable, and a file may hold a bundle of roots), checked against the chain and the device's CA slot")
	fl.StringVar(&f.chainFile, "chain", "", "check a chain from `FILE` instead of dialling (PEM, DER or PKCS#7; - reads stdin)")
	fl.StringVar(&f.pcapFile, "pcap", "", "check the TLS handshakes in a packet capture `FILE` (pcap or pcapng, TLS 1.0-1.2): one report per handshake")
	fl.StringVar(&f.clientCert, "client-cert", "", "the device's own certificate `FILE` for mutual TLS (PEM or DER), checked against its slot size, key and validity")
	fl.StringVar(&f.serverName, "servername", "", "`NAME` sent as SNI and verified against the leaf (for an IP target or an offline chain)")
	fl.StringVar(&f.resolver, "resolver", "", "DNS server `IP[:PORT]` to resolve targets with (default: the system's)")
	fl.DurationVar(&f.timeout, "timeout", certlint.DefaultTimeout, "time limit `DUR` for DNS, dial and handshakes per address")
	fl.StringVar(&f.at, "at", "", "the device's clock `TIME` for validity checks, RFC 3339 or YYYY-MM-DD (default: now)")
	fl.StringVar(&f.until, "until", "", "end of the device's service life `DATE` (YYYY-MM-DD): report roots and certificates on the path that expire before it")
	fl.StringVarP(&f.output, "output", "o", "text", "output `FORMAT`: "+strings.Join(report.Formats(), ", "))
	fl.StringVar(&f.failOn, "fail-on", "fail", "exit 1 on `LEVEL`: fail, or warn to fail on warnings too")
	fl.IntVar(&f.concurrency, "concurrency", 8, "`N` targets checked at once")
	fl.BoolVar(&f.noColor, "no-color", false, "no colour in the text report (also NO_COLOR)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "list passing and skipped findings too")
	fl.StringVar(&f.targetsFile, "targets", "", "read more targets from `FILE`, one `host[:port] [device,device]` per line (# comments; - reads stdin); a line's devices override -d for it")
	fl.StringVar(&f.outputFile, "output-file", "", "write the report to `FILE` instead of stdout (an existing file only with --force)")
	fl.BoolVar(&f.force, "force", false, "let --output-file overwrite an existing file")
	fl.StringVar(&f.baseline, "baseline", "", "compare with a previous report in `FILE` (written by certlint check -o json) and show what changed per target")
	fl.BoolVar(&f.failOnChange, "fail-on-change", false, "exit 1 when anything changed since --baseline")
	fl.StringVar(&f.shard, "shard", "", "check only shard `I/N` of the targets (1 <= I <= N): a stable split by a hash of each host:port, for N parallel jobs; join their -o json reports with certlint merge")
	fl.StringVar(&f.saveChain, "save-chain", "", "write the chain as served to `FILE` (PEM, served order; one target), to attach to a ticket and re-run with --chain")
	fl.StringArrayVar(&f.pins, "pin", nil, "a pin the device holds (repeatable): a certificate fingerprint (SHA-1/SHA-256 hex, any spelling), a key pin (sha256//BASE64), or a PEM/DER `FILE` of the pinned certificate or key")
	fl.StringVar(&f.pinFile, "pin-file", "", "pins per target from `FILE`: lines of `TARGET PIN` (* = every target; see README)")
	fl.IntVar(&f.warnDays, "warn-days", 30, "warn when a matching pin breaks (its certificate expires) within `N` days")
	return cmd
}

func runCheck(cmd *cobra.Command, args []string, f checkFlags) error {
	if f.outputFile == "-" { // "-" is stdout, as for every other file flag
		f.outputFile = ""
	}
	req, err := f.request(args, cmd.InOrStdin())
	if err != nil {
		return err
	}
	if _, err := renderOptions(f); err != nil {
		return err
	}
	ci, err := f.ciInputs(cmd.InOrStdin(), &req)
	if err != nil {
		return err
	}
	req.Progress = newProgress(cmd.ErrOrStderr(), len(req.Targets)+len(req.TargetList))
	run, err := newReportRun(cmd.OutOrStdout(), f, ci.baseline)
	if err != nil {
		return err
	}
	saver := &chainSaver{}
	err = certlint.CheckStream(cmd.Context(), req, func(t report.TargetReport) error {
		if f.saveChain != "" {
			saver.see(t)
		}
		return run.add(t)
	})
	if errors.Is(err, certlint.ErrNoInput) {
		err = errors.New("nothing to check: give a TARGET (host[:port] or URL), --targets FILE or --chain FILE")
	}
	if err := run.finish(err); err != nil {
		return err
	}
	if f.saveChain != "" {
		if err := saver.save(cmd.ErrOrStderr(), f.saveChain, f.force); err != nil {
			return err
		}
	}
	if req.Shard.Count > 1 && run.stream.Len() == 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "certlint: --shard %s: no target falls in this shard\n", req.Shard)
	}
	return run.exit(cmd.ErrOrStderr())
}

// request turns flags into a library request, rejecting bad values before
// anything is dialled.
func (f checkFlags) request(args []string, stdin io.Reader) (certlint.Request, error) {
	req := certlint.Request{
		Targets: args, ChainFile: f.chainFile, Stdin: stdin, CAFiles: f.ca, ServerName: f.serverName,
		PcapFile: f.pcapFile, ClientCert: f.clientCert,
		Devices: f.devices, ProfileFiles: f.profileFiles, Resolver: f.resolver, Timeout: f.timeout,
		Concurrency: f.concurrency, Pins: f.pins, PinsName: "--pin", PinFile: f.pinFile, WarnDays: f.warnDays,
	}
	if f.shard != "" {
		shard, err := certlint.ParseShard(f.shard)
		if err != nil {
			return req, fmt.Errorf("--shard %w", err)
		}
		if f.chainFile != "" || f.pcapFile != "" {
			return req, errors.New("--shard splits TARGETs and --targets, not --chain or --pcap")
		}
		req.Shard = shard
	}
	if f.pcapFile != "" && (f.chainFile != "" || len(args) > 0) {
		return req, errors.New("give either TARGETs, --chain or --pcap, not several")
	}
	if f.chainFile != "" && len(args) > 0 {
		return req, errors.New("give either TARGETs or --chain, not both")
	}
	if f.timeout <= 0 {
		return req, fmt.Errorf("--timeout %s: must be positive", f.timeout)
	}
	if f.concurrency < 1 {
		return req, fmt.Errorf("--concurrency %d: must be at least 1", f.concurrency)
	}
	if f.failOn != "fail" && f.failOn != "warn" {
		return req, fmt.Errorf("--fail-on %q: want fail or warn", f.failOn)
	}
	if f.saveChain != "" {
		req.KeepServed = true
	}
	if f.at != "" {
		at, err := parseAt(f.at)
		if err != nil {
			return req, err
		}
		req.At = at
	}
	if f.until != "" {
		until, err := parseDate("--until", f.until)
		if err != nil {
			return req, err
		}
		req.Until = until
	}
	return req, nil
}

// parseAt reads the device clock: RFC 3339, or a date meaning noon UTC
// that day (so a certificate that expires that day is judged fairly).
func parseAt(s string) (time.Time, error) { return parseDate("--at", s) }

// parseDate reads the value of a time flag: RFC 3339, or a date meaning
// noon UTC that day.
func parseDate(flag, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC 3339 (2019-05-03T10:00:00Z) or a date (2019-05-03)", flag, s)
}

func renderOptions(f checkFlags) (report.Options, error) {
	if _, err := report.Lookup(f.output); err != nil {
		return report.Options{}, fmt.Errorf("--output %w", err)
	}
	// A report written to --output-file is read later, not on this terminal.
	colour := useColor(f.noColor) && f.outputFile == ""
	return report.Options{Text: report.TextOptions{Color: colour, Verbose: f.verbose}, FailOnWarn: f.failOn == "warn", ToolVersion: versionString()}, nil
}

// useColor follows fatih/color's reading of the terminal and NO_COLOR,
// plus --no-color.
func useColor(noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	return !color.NoColor
}

// ciInputs are the inputs of a CI run read before anything is dialled.
type ciInputs struct {
	baseline *report.Report
}

// ciInputs reads --targets into req and --baseline, and refuses an
// --output-file that exists, so a bad flag fails before a long batch.
func (f checkFlags) ciInputs(stdin io.Reader, req *certlint.Request) (ciInputs, error) {
	var in ciInputs
	if f.targetsFile != "" {
		if f.chainFile != "" {
			return in, errors.New("give either --targets or --chain, not both")
		}
		if f.pcapFile != "" {
			return in, errors.New("give either --targets or --pcap, not both")
		}
		specs, err := certlint.ReadTargetsFile(f.targetsFile, stdin)
		if errors.As(err, new(*fs.PathError)) {
			return in, fmt.Errorf("--targets: %w", err)
		}
		if err != nil {
			return in, err // "PATH:LINE: problem"
		}
		req.TargetList = specs
	}
	if f.saveChain != "" && len(req.Targets)+len(req.TargetList) > 1 {
		return in, errors.New("--save-chain writes the chain of one target; give one TARGET")
	}
	if f.failOnChange && f.baseline == "" {
		return in, errors.New("--fail-on-change needs --baseline FILE")
	}
	if f.baseline != "" {
		b, err := report.LoadBaseline(f.baseline)
		if err != nil {
			return in, flagged("--baseline", f.baseline, err)
		}
		in.baseline = b
	}
	if err := refuseExisting("--output-file", f.outputFile, f.force); err != nil {
		return in, err
	}
	if err := checkSaveChain(f.saveChain, f.force); err != nil {
		return in, err
	}
	return in, nil
}

// refuseExisting refuses, before anything is dialled, a file flag naming
// a file that exists, unless --force.
func refuseExisting(flag, path string, force bool) error {
	if path == "" || path == "-" || force {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s %s: file exists (add --force to overwrite)", flag, path)
	}
	return nil
}

// createFile creates a file the user asked for: exclusively, so nothing is
// replaced by accident, unless force.
func createFile(path string, force bool) (*os.File, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	return os.OpenFile(path, flags, 0o644)
}

// lazyOutput is where the report goes: stdout, or --output-file, created
// (exclusively unless --force, so a report never replaces a file by
// accident) when the first byte is written, so a run that fails before
// any report leaves no empty file behind.
type lazyOutput struct {
	stdout io.Writer
	path   string
	force  bool
	file   *os.File
}

func (o *lazyOutput) Write(p []byte) (int, error) {
	if o.path == "" {
		return o.stdout.Write(p)
	}
	if o.file == nil {
		f, err := createFile(o.path, o.force)
		if err != nil {
			return 0, &outputFileError{err}
		}
		o.file = f
	}
	return o.file.Write(p)
}

// Close closes the output file, if one was created.
func (o *lazyOutput) Close() error {
	if o.file == nil {
		return nil
	}
	return o.file.Close()
}

// wrap names where the report was being written.
func (o *lazyOutput) wrap(err error) error {
	var create *outputFileError
	switch {
	case errors.As(err, &create):
		return fmt.Errorf("--output-file: %w", create.err)
	case o.path != "":
		return fmt.Errorf("write report to %s: %w", o.path, err)
	}
	return fmt.Errorf("write report: %w", err)
}

// outputFileError is a failure to create --output-file.
type outputFileError struct{ err error }

func (e *outputFileError) Error() string { return e.err.Error() }

// chainSaver follows a run's reports for --save-chain: it keeps the chain
// of the first report that has one, and notes every report that served
// another.
type chainSaver struct {
	saved *report.TargetReport
	notes []string
}

func (c *chainSaver) see(t report.TargetReport) {
	switch {
	case len(t.Served) == 0:
	case c.saved == nil:
		c.saved = &t
	case !sameChain(c.saved.Served, t.Served):
		c.notes = append(c.notes, fmt.Sprintf("certlint: --save-chain: wrote the chain of %s; %s served another", report.Clean(reportName(*c.saved)), report.Clean(reportName(t))))
	}
}

// save writes the kept chain to path and prints the notes.
func (c *chainSaver) save(stderr io.Writer, path string, force bool) error {
	for _, n := range c.notes {
		fmt.Fprintln(stderr, n)
	}
	if c.saved == nil {
		return fmt.Errorf("--save-chain %s: no chain was received, nothing written", path)
	}
	return saveChain(path, force, c.saved.Served)
}

func reportName(t report.TargetReport) string {
	if t.Address != "" && !strings.Contains(t.Target, t.Address) {
		return t.Target + " → " + t.Address
	}
	return t.Target
}

func sameChain(a, b []*chain.Cert) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].SHA256 != b[i].SHA256 {
			return false
		}
	}
	return true
}
