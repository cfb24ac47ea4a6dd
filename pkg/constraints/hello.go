package constraints

import "github.com/certlint/certlint/pkg/chain"

// HelloSpec is the ClientHello the device sends, as far as the profile
// knows it. A device whose SNI behaviour is unknown is assumed to send SNI,
// as every current TLS library does.
func (p *Profile) HelloSpec() chain.HelloSpec {
	sni, known := Bool(p.TLS.SNI)
	return chain.HelloSpec{
		Versions:     p.TLS.Versions,
		CipherSuites: p.TLS.CipherSuites,
		Curves:       p.TLS.Curves,
		SNI:          sni || !known,
	}
}
