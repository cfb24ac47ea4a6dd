package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

// chainSize checks the total size of the certificates the server sends
// against the device's buffer for the whole Certificate message.
type chainSize struct{}

func init() { Register(chainSize{}) }

func (chainSize) ID() string { return "chain-size" }

func (chainSize) Description() string {
	return "the certificates the server sends fit, together, in the device's chain buffer (DER bytes)"
}

func (chainSize) Fields() []string { return []string{"certificates.max_chain_bytes"} }

func (chainSize) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	limit := p.Certificates.MaxChainBytes
	if limit <= 0 {
		return skip(p.Name + " has no known limit on the size of the whole chain")
	}
	served := obs.Served()
	if len(served) == 0 {
		return skip("the server sent no certificates to measure")
	}
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
