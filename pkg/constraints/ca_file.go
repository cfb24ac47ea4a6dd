package constraints

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "ca-file", Fields: []string{"trust.ca_formats", "trust.ca_max_bytes", "trust.ca_requires_ski", "trust.ca_ski_auto_formats", "trust.ca_path"},
			Description: "the CA the device holds fits its CA slot: format, size, Subject Key Identifier"},
		Requires: []Requirement{
			trustModelKnown,
			func(_ *chain.Observation, p *Profile) string {
				if p.Trust.Model != "loaded-ca" {
					return fmt.Sprintf("%s loads no CA file (trust model %s)", p.Name, p.Trust.Model)
				}
				return ""
			},
		},
		Execute: caFile,
	})
}

// caSlot is what is (or will be) loaded into the device's CA slot.
type caSlot struct {
	name     string // how messages call it: "the CA file ca.pem", "the root CN=…"
	path     string // the file, for conversion commands; empty without --ca
	format   string // der or pem
	bytes    int
	cert     *chain.Cert
	index    int  // CertIndex for findings: the anchor's index, or -1
	fromFile bool // true for --ca, false for the root certlint proposes
}

// caFile checks the CA the device holds against the rules of its CA slot:
// the formats it parses, its size, and, for devices that find their CA by
// Subject Key Identifier (SPWF04Sx), that the SKI is there and that the
// device can read it from the format given (seed 004). Without --ca it
// judges the anchor root the user will have to load.
func caFile(obs *chain.Observation, p *Profile) []Finding {
	t := p.Trust
	if len(t.CAFormats) == 0 && t.CAMaxBytes <= 0 && !t.CARequiresSKI {
		return skip(p.Name + " has no known rules for its CA file")
	}
	slot, err := slotOf(obs, p)
	if err != "" {
		return skip(err)
	}
	if slot.cert == nil {
		return []Finding{{Severity: Fail, CertIndex: -1, Message: slot.name + " holds no certificate",
			Fix: "load a PEM or DER certificate as the CA"}}
	}
	var out []Finding
	if len(t.CAFormats) > 0 {
		out = append(out, caFormatFinding(slot, p))
	}
	if t.CAMaxBytes > 0 {
		out = append(out, caSizeFinding(slot, p))
	}
	if t.CARequiresSKI {
		out = append(out, caSKIFinding(slot, p))
		if f, ok := caSKIAutoFinding(slot, p); ok {
			out = append(out, f)
		}
	}
	return out
}

// slotOf picks what goes into the CA slot: the --ca file that holds the
// anchor of the device's path (or the intermediate it refuses), else the
// first; or, without --ca, the root that completes the path in the format
// the device reads best. The string is a skip reason when there is nothing.
func slotOf(obs *chain.Observation, p *Profile) (caSlot, string) {
	path := DevicePath(obs, p)
	if len(obs.CAFiles) > 0 {
		f, cert := obs.CAFiles[0], (*chain.Cert)(nil)
		held := path.Anchor
		if !path.OK() && path.Failure != nil {
			held = path.Failure.Held
		}
		for _, file := range obs.CAFiles {
			for _, c := range file.Certs {
				if held != nil && c.SHA256 == held.SHA256 {
					f, cert = file, c
				}
			}
		}
		s := caSlot{name: "the CA file " + filepath.Base(f.Path), path: f.Path, format: strings.ToLower(f.Format), bytes: f.Bytes, index: -1, fromFile: true}
		s.cert = cert
		if s.cert == nil && len(f.Certs) > 0 {
			s.cert = f.Certs[0]
		}
		if path.OK() && s.cert != nil && s.cert.SHA256 == path.Anchor.SHA256 {
			s.index = path.Anchor.Index
		}
		return s, ""
	}
	a := pathAnchor(path)
	if a == nil {
		return caSlot{}, "no CA file given (--ca) and no anchor root known to propose"
	}
	format := preferredCAFormat(p)
	return caSlot{name: "the root " + a.Subject, format: format, bytes: encodedSize(a, format), cert: a, index: a.Index}, ""
}

// encodedSize is how many bytes the certificate takes as a file in format.
func encodedSize(c *chain.Cert, format string) int {
	if format == "pem" {
		return pemSize(c.DERBytes())
	}
	return c.DERBytes()
}

// pemSize is the length of pem.EncodeToMemory of n DER bytes as a
// CERTIFICATE block (no headers), counted instead of encoded: the BEGIN
// line, the base64 in lines of 64 characters, the END line.
func pemSize(n int) int {
	const begin, end = len("-----BEGIN CERTIFICATE-----\n"), len("-----END CERTIFICATE-----\n")
	b64 := base64.StdEncoding.EncodedLen(n)
	return begin + b64 + (b64+63)/64 + end
}

// preferredCAFormat is the format to load a CA in: one the device takes
// and, for a device that finds its CA by SKI, one it reads the SKI from.
func preferredCAFormat(p *Profile) string {
	t := p.Trust
	if t.CARequiresSKI {
		for _, f := range t.CAFormats {
			if containsFold(t.CASKIAutoFormats, f) {
				return strings.ToLower(f)
			}
		}
	}
	if len(t.CAFormats) > 0 {
		return strings.ToLower(t.CAFormats[0])
	}
	return "der"
}

func caFormatFinding(s caSlot, p *Profile) Finding {
	formats := p.Trust.CAFormats
	f := Finding{Severity: Pass, CertIndex: s.index, Limit: strings.Join(formats, ", "), Actual: s.format}
	switch {
	case !s.fromFile:
		f.Message = fmt.Sprintf("load %s in %s form; %s takes the CA in %s", s.name, strings.ToUpper(s.format), p.Name, formatList(formats))
	case containsFold(formats, s.format):
		f.Message = fmt.Sprintf("%s is %s; %s takes the CA in %s", s.name, strings.ToUpper(s.format), p.Name, formatList(formats))
	default:
		f.Severity = Fail
		want := strings.ToLower(formats[0])
		f.Message = fmt.Sprintf("%s is %s; %s takes the CA in %s; convert with %s",
			s.name, strings.ToUpper(s.format), p.Name, formatList(formats), convertCommand(s.path, s.format, want))
		f.Fix = "convert with " + convertCommand(s.path, s.format, want) + caPathNote(p, s.cert)
	}
	return f
}

func caSizeFinding(s caSlot, p *Profile) Finding {
	limit := p.Trust.CAMaxBytes
	f := Finding{Severity: Pass, CertIndex: s.index, Limit: limit, Actual: s.bytes,
		Message: fmt.Sprintf("%s is %s bytes as %s; %s accepts a CA of at most %s bytes", s.name, Thousands(s.bytes), strings.ToUpper(s.format), p.Name, Thousands(limit))}
	if s.bytes > limit {
		f.Severity = Fail
		der := s.cert.DERBytes()
		if s.format != "der" && containsFold(p.Trust.CAFormats, "der") && der <= limit {
			f.Fix = fmt.Sprintf("load the DER form (%s bytes): %s", Thousands(der), convertCommand(s.path, s.format, "der"))
		} else {
			f.Fix = "the device cannot hold this CA; the service must chain to a root with a smaller certificate"
		}
	}
	return f
}

func caSKIFinding(s caSlot, p *Profile) Finding {
	c := s.cert
	f := Finding{Severity: Pass, CertIndex: s.index, Limit: "Subject Key Identifier", Actual: skiOrNone(c)}
	if len(c.SKI) == 0 {
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s (%s) has no Subject Key Identifier: %s finds its CA by SKI", s.name, c.Subject, p.Name)
		f.Fix = "the CA certificate must carry a Subject Key Identifier; re-issue it with one (openssl: -addext subjectKeyIdentifier=hash)"
		return f
	}
	f.Message = fmt.Sprintf("%s carries the Subject Key Identifier %s, by which %s finds it", s.name, c.SKIHex(), p.Name)
	return f
}

// caSKIAutoFinding warns when the device cannot read the SKI from the
// format the CA file is in (SPWF04Sx with PEM: "No SubjectKeyId"), so the
// user must hand it the SKI. Only a --ca file can be in the wrong format;
// the root certlint proposes is already in a format the device reads.
func caSKIAutoFinding(s caSlot, p *Profile) (Finding, bool) {
	auto := p.Trust.CASKIAutoFormats
	if !s.fromFile || len(auto) == 0 || len(s.cert.SKI) == 0 || containsFold(auto, s.format) {
		return Finding{}, false
	}
	f := Finding{Severity: Warn, CertIndex: s.index, Limit: strings.Join(auto, ", "), Actual: s.format,
		Message: fmt.Sprintf("%s is %s: %s does not read the SKI from a %s CA; it will print \"No SubjectKeyId\" and the SKI must be given by hand",
			s.name, strings.ToUpper(s.format), p.Name, strings.ToUpper(s.format))}
	fix := fmt.Sprintf("load the %s form (%s), or keep %s and give the device the %d-byte SKI %s in binary", strings.ToUpper(auto[0]),
		convertCommand(s.path, s.format, strings.ToLower(auto[0])), strings.ToUpper(s.format), len(s.cert.SKI), s.cert.SKIHex())
	f.Fix = fix + caPathNote(p, s.cert)
	return f, true
}

// convertCommand is the openssl command line that turns the CA file into
// the wanted format.
func convertCommand(path, from, to string) string {
	if path == "" {
		path = "ca." + from
	}
	out := strings.TrimSuffix(path, filepath.Ext(path)) + "." + to
	if out == path {
		out = strings.TrimSuffix(path, filepath.Ext(path)) + "-" + to + "." + to
	}
	inform := ""
	if from == "der" {
		inform = "-inform der "
	}
	return fmt.Sprintf("`openssl x509 %s-in %s -outform %s -out %s`", inform, path, to, out)
}

// formatList quotes the formats a CA slot takes: "DER", "DER or PEM".
func formatList(formats []string) string {
	up := make([]string, len(formats))
	for i, f := range formats {
		up[i] = strings.ToUpper(f)
	}
	return strings.Join(up, " or ")
}
