package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/certlint/certlint/pkg/constraints"
)

func init() {
	RegisterFormat("markdown", func(w io.Writer, r *Report, _ Options) error { return WriteMarkdown(w, r) })
}

// WriteMarkdown renders the report for a support ticket or a forum post
// (GitHub-flavoured markdown): per target a verdict table per device, the
// chain with sizes, then every failing or warning finding with its limit,
// sources and fix, and the steps each device still needs. Certificate
// fields and server messages are untrusted and escaped (MD).
func WriteMarkdown(w io.Writer, r *Report) error { return renderAll(w, "markdown", r, Options{}) }

type mdPrinter struct {
	w   io.Writer
	err error
}

func (p *mdPrinter) line(format string, args ...interface{}) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *mdPrinter) target(t TargetReport) {
	head := MD(t.Target)
	if t.Address != "" {
		head += " → " + MD(t.Address)
	}
	p.line("## %s: %s", head, strings.ToUpper(t.Verdict))
	p.line("")
	if t.Error != "" {
		p.line("The check could not be done: %s", MD(t.Error))
		return
	}
	if len(t.CNAMEs) > 0 {
		p.line("- via CNAME: %s", MD(strings.Join(t.CNAMEs, " → ")))
	}
	p.line("- %s", p.connection(t))
	for _, n := range t.Notes {
		p.line("- note: %s", MD(n))
	}
	p.line("")
	p.verdicts(t.Devices)
	p.line("")
	p.chain(t.Chain)
	for _, d := range t.Devices {
		p.line("")
		p.device(d)
	}
}

func (p *mdPrinter) connection(t TargetReport) string {
	at := "checked at " + t.CheckedAt.Format("2006-01-02 15:04 MST")
	switch {
	case t.Offline:
		name := "no server name"
		if t.ServerName != "" {
			name = "server name " + MD(t.ServerName)
		}
		if t.TLS != nil && t.TLS.Version != "" { // a captured handshake (--pcap)
			return "captured " + MD(t.TLS.Version+" "+t.TLS.CipherSuite) + ", " + name + ", " + at
		}
		return "offline chain, " + name + ", " + at
	case t.TLS != nil && t.TLS.Version != "":
		return MD(t.TLS.Version+" "+t.TLS.CipherSuite) + ", " + at
	case t.TLS != nil:
		return "handshake failed: " + MD(t.TLS.Error) + ", " + at
	}
	return at
}

func (p *mdPrinter) verdicts(devices []DeviceReport) {
	p.line("| device | firmware | verdict | failed | warnings |")
	p.line("|---|---|---|---:|---:|")
	for _, d := range devices {
		counts := map[constraints.Severity]int{}
		for _, f := range d.Findings {
			counts[f.Severity]++
		}
		p.line("| %s (%s) | %s | **%s** | %d | %d |", MD(d.Device), MD(d.Name), MD(d.Firmware), strings.ToUpper(d.Verdict), counts[constraints.Fail], counts[constraints.Warn])
	}
}

func (p *mdPrinter) chain(certs []Cert) {
	p.line("### Chain")
	p.line("")
	if len(certs) == 0 {
		p.line("No certificates.")
		return
	}
	p.line("| # | role | source | DER bytes | key | signature | valid | names | subject | SKI |")
	p.line("|---:|---|---|---:|---|---|---|---:|---|---|")
	for _, c := range certs {
		p.line("| %d | %s | %s | %s | %s | %s | %s | %d | %s | %s |", c.Index, MD(c.Role), MD(c.Source), constraints.Thousands(c.DERBytes),
			MD(keyLabel(c)), MD(c.SignatureAlgorithm), validLabel(c), c.DNSNames, MD(subjectLabel(c)), code(c.SKI))
	}
}

func (p *mdPrinter) device(d DeviceReport) {
	name := d.Name
	if d.Firmware != "" {
		name += ", firmware " + d.Firmware
	}
	p.line("### %s: %s (%s)", strings.ToUpper(d.Verdict), MD(d.Device), MD(name))
	p.line("")
	if d.TLS != nil && d.TLS.Version != "" {
		p.line("Device hello: %s", MD(d.TLS.Version+" "+d.TLS.CipherSuite))
		p.line("")
	} else if d.TLS != nil && d.TLS.Error != "" {
		p.line("Device hello refused: %s", MD(d.TLS.Error))
		p.line("")
	}
	if d.TLS != nil && len(d.TLS.Notes) > 0 {
		for _, n := range d.TLS.Notes {
			p.line("- note: %s", MD(n))
		}
		p.line("")
	}
	var todo []string
	shown := 0
	for _, f := range d.Findings {
		if f.Severity == constraints.Pass && f.Fix != "" && !containsString(todo, f.Fix) {
			todo = append(todo, f.Fix)
		}
		if f.Severity != constraints.Fail && f.Severity != constraints.Warn {
			continue
		}
		shown++
		p.finding(f)
	}
	if shown == 0 {
		p.line("No failures or warnings.")
	}
	if len(todo) > 0 {
		p.line("")
		p.line("Steps to take:")
		p.line("")
		for _, s := range todo {
			p.line("- %s", MD(s))
		}
	}
}

func (p *mdPrinter) finding(f constraints.Finding) {
	mark := "✗ fail"
	if f.Severity == constraints.Warn {
		mark = "! warn"
	}
	conf := ""
	if f.Confidence != "" {
		conf = " (confidence: " + MD(f.Confidence) + ")"
	}
	p.line("- **%s** `%s`: %s%s", mark, f.Check, MD(f.Message), conf)
	if f.Fix != "" {
		p.line("  - **fix:** %s", MD(f.Fix))
	}
	for _, s := range f.Sources {
		p.line("  - source: %s", MD(s))
	}
}

// code renders s as inline code, or a dash when empty; a hex SKI never
// holds a backtick, but MD escapes it anyway for anything else.
func code(s string) string {
	if s == "" {
		return "–"
	}
	if strings.ContainsAny(s, "`\n\r|") {
		return MD(s)
	}
	return "`" + s + "`"
}

// mdEscaper escapes the characters markdown gives meaning to inside a line
// or a table cell; newlines become spaces so a field cannot start a new
// block (a heading, a table row).
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`,
	"<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`, "#", `\#`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// MD makes untrusted text safe inside a markdown line or table cell:
// control characters are escaped first (Clean), then markdown syntax.
// Newlines become spaces before Clean sees them, so a subject cannot add
// lines to a ticket.
func MD(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	return mdEscaper.Replace(Clean(s))
}
