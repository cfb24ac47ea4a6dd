package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "cert-size", Fields: []string{"certificates.max_cert_bytes"},
			Description: "each certificate the server sends fits the device's per-certificate size limit (DER bytes)"},
		Requires: []Requirement{
			limitKnown("per-certificate size limit", func(p *Profile) int { return p.Certificates.MaxCertBytes }),
			certsServed("the server sent no certificates to measure"),
		},
		Execute: certSize,
	})
}

// certSize checks every certificate the server sends against the largest
// single certificate the device can receive (SPWF04Sx: 2.5 KB each). The
// anchor root is not received, so it is not measured here.
func certSize(obs *chain.Observation, p *Profile) []Finding {
	limit := p.Certificates.MaxCertBytes
	served := obs.Served()
	var out []Finding
	for _, c := range served {
		f := Finding{Severity: Pass, CertIndex: c.Index, Limit: limit, Actual: c.DERBytes(),
			Message: fmt.Sprintf("%s is %s bytes; %s accepts at most %s bytes per certificate",
				c.Label(), Thousands(c.DERBytes()), p.Name, Thousands(limit))}
		if c.DERBytes() > limit {
			f.Severity = Fail
			f.Fix = certSizeFix(limit, p)
		}
		out = append(out, f)
	}
	if m := obs.Certificate; m != nil && m.Certs > len(served) {
		// Past certlint's chain cap only sizes are known: the largest of
		// all stands for the rest.
		f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: m.Largest,
			Message: fmt.Sprintf("the %d certificates past certlint's %d-certificate cap are measured by size only: the largest the server sent is certificate #%d at %s bytes; %s accepts at most %s bytes per certificate",
				m.Certs-len(served), len(served), m.LargestIndex, Thousands(m.Largest), p.Name, Thousands(limit))}
		if m.Largest > limit && m.LargestIndex >= len(served) {
			f.Severity, f.CertIndex = Fail, m.LargestIndex
			f.Fix = certSizeFix(limit, p)
		}
		out = append(out, f)
	}
	return out
}

// certSizeFix says what to do about a certificate over the device's limit.
func certSizeFix(limit int, p *Profile) string {
	return fmt.Sprintf("the service must send certificates of at most %s bytes (fewer subject alternative names, an ECDSA key); %s cannot be configured around this limit, "+
		"so until then connect through a proxy that presents a smaller chain (e.g. plain HTTP on a private network to a proxy that forwards over HTTPS)",
		Thousands(limit), p.Name)
}
