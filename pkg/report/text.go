package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fatih/color"
	"golang.org/x/net/idna"

	"github.com/certlint/certlint/pkg/constraints"
)

// TextOptions controls the human-readable report.
type TextOptions struct {
	// Color turns on ANSI colour; the caller decides (terminal, --no-color,
	// NO_COLOR).
	Color bool
	// Verbose lists passing and skipped findings too, not only problems.
	Verbose bool
}

// WriteText renders the report for a person at a terminal: per target the
// chain as a short table, then per device the verdict and every finding
// that is not a pass, each with its limit's confidence, source and fix.
func WriteText(w io.Writer, r *Report, opts TextOptions) error {
	return renderAll(w, "text", r, Options{Text: opts})
}

type textPrinter struct {
	w    io.Writer
	opts TextOptions
	err  error
}

func (p *textPrinter) line(format string, args ...interface{}) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// paint colours s for a verdict or severity when colour is on.
func (p *textPrinter) paint(verdict, s string) string {
	if !p.opts.Color {
		return s
	}
	var c *color.Color
	switch verdict {
	case VerdictFail, VerdictError:
		c = color.New(color.FgRed, color.Bold)
	case VerdictWarn:
		c = color.New(color.FgYellow, color.Bold)
	case VerdictPass:
		c = color.New(color.FgGreen)
	case string(constraints.Skip):
		c = color.New(color.Faint)
	default:
		return s
	}
	c.EnableColor()
	return c.Sprint(s)
}

func (p *textPrinter) target(t TargetReport) {
	head := Clean(t.Target) + idnForm(t)
	if t.Address != "" {
		head += " → " + t.Address
	}
	if t.Error != "" {
		p.line("%s  %s", head, p.paint(VerdictError, "ERROR"))
		p.line("  %s", Clean(t.Error))
		return
	}
	p.line("%s  %s", head, p.paint(t.Verdict, strings.ToUpper(t.Verdict)))
	if len(t.CNAMEs) > 0 {
		p.line("  via CNAME %s", Clean(strings.Join(t.CNAMEs, " → ")))
	}
	p.line("  %s", p.connectionLine(t))
	for _, n := range t.Notes {
		p.line("  note: %s", Clean(n))
	}
	p.changes(t.Changes)
	p.line("")
	p.chain(t.Chain)
	for _, d := range t.Devices {
		p.line("")
		p.device(d)
	}
}

// idnForm shows the other form of an internationalised host name: the
// punycode certlint dialled for a name typed in Unicode, the Unicode name
// for one typed in punycode; "" for any other host.
func idnForm(t TargetReport) string {
	if !strings.Contains(t.Host, "xn--") {
		return ""
	}
	u, err := idna.Lookup.ToUnicode(t.Host)
	if err != nil || u == t.Host {
		return ""
	}
	if strings.Contains(strings.ToLower(t.Target), u) {
		return " (" + t.Host + ")"
	}
	return " (" + Clean(u) + ")"
}

func (p *textPrinter) connectionLine(t TargetReport) string {
	at := "checked at " + t.CheckedAt.Format("2006-01-02 15:04 MST")
	switch {
	case t.Offline:
		name := t.ServerName
		if name == "" {
			name = "no server name (pass --servername to check host names)"
		}
		if t.TLS != nil && t.TLS.Version != "" { // a captured handshake (--pcap)
			return "captured " + t.TLS.Version + " " + t.TLS.CipherSuite + " · " + Clean(name) + " · " + at
		}
		return "offline chain · " + Clean(name) + " · " + at
	case t.TLS != nil && t.TLS.Version != "":
		return t.TLS.Version + " " + t.TLS.CipherSuite + " · " + at
	case t.TLS != nil:
		return "handshake failed: " + Clean(t.TLS.Error) + " · " + at
	}
	return at
}

func (p *textPrinter) chain(certs []Cert) {
	if len(certs) == 0 {
		p.line("  no certificates")
		return
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\trole\t     size\tkey\tsignature\tvalid\tnames\tsubject")
	for _, c := range certs {
		role := c.Role
		if c.Source != "served" {
			role += " (" + c.Source + ")"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%9s\t%s\t%s\t%s\t%5d\t%s\n", c.Index, role, constraints.Thousands(c.DERBytes)+" B", keyLabel(c), c.SignatureAlgorithm, validLabel(c), c.DNSNames, Clean(subjectLabel(c)))
	}
	tw.Flush()
	p.line("%s", strings.TrimRight(b.String(), "\n"))
}

// validLabel is the validity period as dates (the day is what a user
// compares with a device clock).
func validLabel(c Cert) string {
	if c.NotBefore.IsZero() && c.NotAfter.IsZero() {
		return "?"
	}
	return c.NotBefore.UTC().Format("2006-01-02") + " → " + c.NotAfter.UTC().Format("2006-01-02")
}

func keyLabel(c Cert) string {
	if c.KeyType == "" || c.KeyType == "unknown" {
		return "?"
	}
	return strings.ToUpper(c.KeyType) + "-" + strconv.Itoa(c.KeyBits)
}

func subjectLabel(c Cert) string {
	if c.ParseError != "" {
		return "unparsed: " + c.ParseError
	}
	return c.Subject
}

func (p *textPrinter) device(d DeviceReport) {
	name := d.Name
	if d.Firmware != "" {
		name += ", firmware " + d.Firmware
	}
	p.line("  %s  %s (%s)", p.paint(d.Verdict, strings.ToUpper(d.Verdict)), d.Device, Clean(name))
	if d.TLS != nil {
		if d.TLS.Version != "" {
			p.line("      device hello: %s %s", d.TLS.Version, d.TLS.CipherSuite)
		} else if d.TLS.Error != "" {
			p.line("      device hello: refused: %s", Clean(d.TLS.Error))
		}
		for _, n := range d.TLS.Notes {
			p.line("      note: %s", Clean(n))
		}
	}
	counts := map[constraints.Severity]int{}
	var todo []string
	for _, f := range d.Findings {
		counts[f.Severity]++
		if f.Severity == constraints.Pass && f.Fix != "" && !containsString(todo, f.Fix) {
			// A pass that still asks something of the user (load this
			// root) is shown as a step to take.
			todo = append(todo, f.Fix)
		}
		if f.Severity == constraints.Pass || f.Severity == constraints.Skip {
			if !p.opts.Verbose {
				continue
			}
		}
		p.finding(f)
	}
	for _, t := range todo {
		p.line("    → %s", Clean(t))
	}
	p.line("      %d passed, %d warnings, %d failed, %d skipped", counts[constraints.Pass], counts[constraints.Warn], counts[constraints.Fail], counts[constraints.Skip])
}

var severityMarks = map[constraints.Severity]string{
	constraints.Fail: "✗", constraints.Warn: "!", constraints.Pass: "✓", constraints.Skip: "-",
}

func (p *textPrinter) finding(f constraints.Finding) {
	mark := p.paint(string(f.Severity), severityMarks[f.Severity]+" "+f.Check)
	conf := ""
	if f.Confidence != "" && f.Severity != constraints.Pass {
		conf = " [" + f.Confidence + "]"
	}
	p.line("    %s: %s%s", mark, Clean(f.Message), conf)
	if f.Fix != "" {
		p.line("        fix: %s", Clean(f.Fix))
	}
	if f.Severity == constraints.Fail || f.Severity == constraints.Warn {
		for _, s := range f.Sources {
			p.line("        source: %s", Clean(s))
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
