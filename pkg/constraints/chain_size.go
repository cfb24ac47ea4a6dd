package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "chain-size", Fields: []string{"certificates.max_chain_bytes"},
			Description: "the certificates the server sends fit, together, in the device's chain buffer (DER bytes)"},
		Requires: []Requirement{
			limitKnown("limit on the size of the whole chain", func(p *Profile) int { return p.Certificates.MaxChainBytes }),
			certsServed("the server sent no certificates to measure"),
		},
		Execute: chainSize,
	})
}

// chainSize checks the total size of the certificates the server sends
// against the device's buffer for the whole Certificate message.
func chainSize(obs *chain.Observation, p *Profile) []Finding {
	limit := p.Certificates.MaxChainBytes
	served := obs.Served()
	total, largest := 0, served[0]
	for _, c := range served {
		total += c.DERBytes()
		if c.DERBytes() > largest.DERBytes() {
			largest = c
		}
	}
	count, largestLabel, largestBytes := len(served), largest.Label(), largest.DERBytes()
	if m := obs.Certificate; m != nil && m.Certs > len(served) {
		// Past certlint's chain cap: the message still counts every certificate.
		count, total, largestBytes = m.Certs, m.DERBytes, m.Largest
		largestLabel = fmt.Sprintf("certificate #%d", m.LargestIndex)
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: total,
		Message: fmt.Sprintf("the server sends %s bytes of certificates (%d %s); %s accepts at most %s bytes in all",
			Thousands(total), count, plural(count, "certificate", "certificates"), p.Name, Thousands(limit))}
	if total > limit {
		f.Severity = Fail
		f.Message += fmt.Sprintf("; the largest is %s at %s bytes", largestLabel, Thousands(largestBytes))
		f.Fix = fmt.Sprintf("the service must send at most %s bytes of certificates: a smaller leaf, a shorter chain, ECDSA keys; a root it sends can be left out; until then connect through a proxy that presents a smaller chain", Thousands(limit))
	}
	return []Finding{f}
}
