package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "cipher-suite", Fields: []string{"tls.cipher_suites"},
			Description: "the server picks a cipher suite the device offers in its own ClientHello"},
		Requires: []Requirement{
			profileLists("cipher suites", func(p *Profile) []string { return p.TLS.CipherSuites }),
		},
		Execute: cipherSuite,
	})
}

// cipherSuite checks that the server picks one of the suites the device
// offers when it receives the device's own ClientHello. A PC's hello
// proves nothing here: servers that dropped CBC or RSA key exchange still
// answer a browser.
func cipherSuite(obs *chain.Observation, p *Profile) []Finding {
	suites := p.TLS.CipherSuites
	hello, why := deviceHello(obs, p)
	if hello == nil {
		return skip(fmt.Sprintf("%s; the device offers %d cipher %s", why, len(suites), plural(len(suites), "suite", "suites")))
	}
	hs := hello.Handshake
	f := Finding{CertIndex: -1, Limit: strings.Join(suites, ", "), Actual: hs.CipherSuite}
	switch {
	case hs.CipherSuite != "" && !containsFold(suites, hs.CipherSuite):
		f.Severity = Fail
		f.Message = fmt.Sprintf("the server chose %s, which %s did not offer", hs.CipherSuite, p.Name)
		f.Fix = "the server ignores the device's offer; ask the service operator to enable one of " + suiteSummary(suites)
	case hs.CipherSuite != "":
		f.Severity = Pass
		f.Message = fmt.Sprintf("the server chose %s from the %d %s %s offers", hs.CipherSuite, len(suites), plural(len(suites), "suite", "suites"), p.Name)
	case hs.Failure == chain.FailureNoSuite:
		f.Severity = Fail
		f.Actual = "none (alert " + hs.Alert + ")"
		f.Message = fmt.Sprintf("the server accepts none of the %d cipher %s %s offers: alert %s",
			len(suites), plural(len(suites), "suite", "suites"), p.Name, hs.Alert)
		if obs.TLS != nil && obs.TLS.CipherSuite != "" {
			f.Message += "; a current client gets " + obs.TLS.CipherSuite
		}
		f.Fix = "ask the service operator to enable one of " + suiteSummary(suites)
	case versionRefused(hs):
		return skip("the server refused the device's TLS versions before choosing a suite; the tls-version finding says why")
	default:
		f.Severity = Warn
		f.Actual = handshakeFailure(hs)
		f.Message = fmt.Sprintf("the handshake with %s's ClientHello failed before a suite was agreed (%s); it cannot be told whether a suite would be agreed",
			p.Name, handshakeFailure(hs))
	}
	return []Finding{f}
}

// suiteSummary lists the first few suites and how many more there are, so
// a message stays readable for a device that offers dozens.
func suiteSummary(suites []string) string {
	const shown = 3
	if len(suites) <= shown {
		return strings.Join(suites, ", ")
	}
	return fmt.Sprintf("%s (and %d more)", strings.Join(suites[:shown], ", "), len(suites)-shown)
}
