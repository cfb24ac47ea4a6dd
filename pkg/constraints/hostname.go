package constraints

import (
	"fmt"
	"net"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "hostname", Fields: []string{"trust.verifies_hostname"},
			Description: "the leaf certificate names the host the device connects to, if the device checks names"},
		Execute: hostname,
	})
}

// hostname checks that the leaf names the server the device connects to,
// for devices that check names at all (WiPy does not, and says nothing).
// When it is not known whether the device checks names, a leaf that does
// not cover the name is a warning that says so, never a skip.
func hostname(obs *chain.Observation, p *Profile) []Finding {
	verifies, known := Bool(p.Trust.VerifiesHostname)
	switch {
	case p.Trust.Model == "none":
		return []Finding{unverified(p, "any name on the leaf is accepted")}
	case known && !verifies:
		return []Finding{{Severity: Pass, CertIndex: -1, Limit: false,
			Message: p.Name + " checks no host name; any name on the leaf is accepted"}}
	case obs.ServerName == "":
		return skip("no name to verify: pass --servername")
	}
	served := obs.Served()
	if len(served) == 0 {
		return skip("the server sent no certificates to verify " + obs.ServerName + " against")
	}
	leaf := served[0]
	f := Finding{Severity: Pass, CertIndex: leaf.Index, Limit: obs.ServerName, Actual: strings.Join(certNames(leaf), ", "),
		Message: fmt.Sprintf("%s covers %s", leaf.Label(), obs.ServerName)}
	covers := matchesName(leaf, obs.ServerName)
	if !covers {
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s does not cover %s; it names %s", leaf.Label(), obs.ServerName, nameSummary(certNames(leaf)))
		f.Fix = fmt.Sprintf("connect with a name the certificate lists, or ask the service for a certificate that lists %s", obs.ServerName)
	}
	if !known {
		// Unknown behaviour never hides a concrete problem: a name the
		// leaf does not cover fails every device that checks names.
		unknown := "whether " + p.Name + " checks the host name is unknown"
		if covers {
			f.Message += "; " + unknown
		} else {
			f.Severity = Warn
			f.Message += "; " + unknown + ", and a device that checks it refuses this certificate"
		}
	}
	return []Finding{f}
}

// matchesName reports whether cert is valid for name as RFC 6125 has it:
// an IP name against IP SANs; a DNS name against dNSName SANs, where a
// leading "*." matches exactly one label; the CN only when there are no
// DNS SANs, as older stacks still do.
func matchesName(c *chain.Cert, name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if ip := net.ParseIP(name); ip != nil {
		for _, s := range c.IPAddresses {
			if other := net.ParseIP(s); other != nil && other.Equal(ip) {
				return true
			}
		}
		return false
	}
	patterns := c.DNSNames
	if len(patterns) == 0 && c.CommonName != "" {
		patterns = []string{c.CommonName}
	}
	for _, pattern := range patterns {
		if dnsMatch(strings.TrimSuffix(strings.ToLower(pattern), "."), name) {
			return true
		}
	}
	return false
}

func dnsMatch(pattern, name string) bool {
	if pattern == name {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok || rest == "" {
		return false
	}
	label, parent, found := strings.Cut(name, ".")
	return found && label != "" && parent == rest
}

// certNames lists the names a certificate is valid for: DNS SANs, IP SANs,
// or its CN when it has no SANs.
func certNames(c *chain.Cert) []string {
	names := append(append([]string{}, c.DNSNames...), c.IPAddresses...)
	if len(names) == 0 && c.CommonName != "" {
		names = []string{c.CommonName}
	}
	return names
}

// nameSummary quotes a few names and counts the rest: a leaf can carry
// hundreds of SANs.
func nameSummary(names []string) string {
	const shown = 5
	switch {
	case len(names) == 0:
		return "no names"
	case len(names) <= shown:
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}
