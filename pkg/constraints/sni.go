package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "sni", Fields: []string{"tls.sni", "tls.sni_max_bytes", "trust.verifies_hostname"},
			Description: "a device without SNI (or whose host name is too long to send as SNI) receives the same certificate as a client that sends it"},
		Execute: sni,
	})
}

// sni checks what a device that sends no server_name gets: a server with
// several certificates on one address sends its default one, which may not
// be the certificate a browser sees. A device that sends SNI but not a
// name longer than it takes (WiFi101: 64 bytes or more) is such a device
// for that name.
func sni(obs *chain.Observation, p *Profile) []Finding {
	sends, known := Bool(p.TLS.SNI)
	dropped := p.DropsSNI(obs.ServerName)
	switch {
	case !known && !dropped:
		return skip("it is not known whether " + p.Name + " sends SNI")
	case sends && !dropped:
		return []Finding{{Severity: Pass, CertIndex: -1, Limit: true, Actual: true,
			Message: p.Name + " sends SNI, so the server can pick the certificate for the name"}}
	}
	noSNI := p.Name + " sends no SNI"
	if dropped {
		noSNI = fmt.Sprintf("%s sends no SNI for %s, a %d-byte name (it sends names of at most %d bytes)",
			p.Name, obs.ServerName, len(obs.ServerName), p.TLS.SNIMaxBytes)
	}
	hello, why := deviceHello(obs, p)
	if hello == nil {
		return skip(why + "; " + noSNI + ", so the server may send it a default certificate")
	}
	served := obs.Served()
	if obs.SNIServed != nil {
		served = obs.SNIServed
	}
	if len(hello.Chain) == 0 || len(served) == 0 {
		return skip(fmt.Sprintf("the server sent no certificate to %s's ClientHello without SNI (%s)", p.Name, handshakeFailure(hello.Handshake)))
	}
	got, want := hello.Chain[0], served[0]
	f := Finding{Severity: Pass, CertIndex: -1, Limit: want.Subject, Actual: got.Subject}
	if got.SHA256 == want.SHA256 {
		f.Message = fmt.Sprintf("%s and still gets %s", noSNI, want.Label())
		return []Finding{f}
	}
	f.Message = fmt.Sprintf("%s and gets the server's default certificate %s (SHA-256 %.16s…) instead of %s",
		noSNI, got.Subject, got.SHA256, want.Label())
	if obs.SNIServed != nil {
		f.Message += "; the other checks of " + p.Name + " ran on this default certificate chain"
	}
	f.Fix = "ask the service operator to make this certificate the default (served without SNI), or use an endpoint with an address of its own"
	if dropped {
		f.Fix += fmt.Sprintf(", or a host name of at most %d bytes that the certificate covers", p.TLS.SNIMaxBytes)
	}
	switch {
	case obs.ServerName == "":
		f.Severity = Warn
	case matchesName(got, obs.ServerName):
		f.Severity = Warn
		f.Message += "; it still covers " + obs.ServerName
	case p.Trust.VerifiesHostname != nil && !*p.Trust.VerifiesHostname:
		f.Severity = Warn
		f.Message += "; it does not cover " + obs.ServerName + " (" + p.Name + " checks no names)"
	default:
		f.Severity = Fail
		f.Message += "; it does not cover " + obs.ServerName
	}
	return []Finding{f}
}
