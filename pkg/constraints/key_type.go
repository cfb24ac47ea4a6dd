package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "key-type", Fields: []string{"certificates.key_types", "certificates.ec_curves"},
			Description: "every certificate's key type (and EC curve) is one the device implements; with its curves unknown, a curve other than P-256 warns"},
		Requires: []Requirement{
			profileLists("supported key types", func(p *Profile) []string { return p.Certificates.KeyTypes }),
			certsServed("the chain is empty"),
		},
		Execute: eachDeviceCert(keyTypeFinding),
	})
}

// keyTypeFinding checks the public-key algorithm of a certificate in the path,
// the anchor included: the device verifies the top certificate with the
// root's key, so a root key it cannot use breaks the chain as surely as a
// leaf key.
func keyTypeFinding(c *chain.Cert, p *Profile) Finding {
	allowed := p.Certificates.KeyTypes
	f := Finding{Severity: Pass, CertIndex: c.Index, Limit: strings.Join(allowed, ", "), Actual: c.KeyType}
	switch {
	case c.Parsed == nil:
		f.Severity = Warn
		f.Message = fmt.Sprintf("%s could not be parsed (%s); its key type is unknown", c.Label(), c.ParseError)
	case !containsFold(allowed, c.KeyType):
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s has %s key; %s supports only %s keys",
			c.Label(), keyDescription(c), p.Name, strings.Join(allowed, ", "))
		f.Fix = fmt.Sprintf("the service needs a chain with %s keys throughout", strings.Join(allowed, " or "))
	case c.KeyType == "ecdsa" && len(p.Certificates.ECCurves) > 0 && !curveAllowed(p.Certificates.ECCurves, c.Curve):
		f.Severity = Fail
		f.Limit, f.Actual = strings.Join(p.Certificates.ECCurves, ", "), c.Curve
		f.Message = fmt.Sprintf("%s has an ECDSA key on curve %s; %s supports only %s",
			c.Label(), c.Curve, p.Name, strings.Join(p.Certificates.ECCurves, ", "))
		f.Fix = fmt.Sprintf("the service needs ECDSA keys on %s", strings.Join(p.Certificates.ECCurves, " or "))
	case c.KeyType == "ecdsa" && len(p.Certificates.ECCurves) == 0 && c.Curve != commonECCurve && !p.sourced("certificates.ec_curves"):
		f.Severity = Warn
		f.Actual = c.Curve
		f.Message = fmt.Sprintf("%s has an ECDSA key on curve %s; which curves %s verifies is unknown (no source found), and several embedded TLS stacks support only %s",
			c.Label(), c.Curve, p.Name, commonECCurve)
		f.Fix = fmt.Sprintf("try this chain on a real device before relying on it; if it fails, the service needs %s or RSA keys in the path", commonECCurve)
	default:
		f.Message = fmt.Sprintf("%s has %s key; %s supports %s keys",
			c.Label(), keyDescription(c), p.Name, strings.Join(allowed, ", "))
	}
	return f
}

// commonECCurve is the one curve every embedded stack with ECDSA in this
// repository's profiles verifies; some verify only it (ATWINC1500:
// Software Design Guide 7.4.4). Another curve on a device whose curves are
// unknown is a risk.
const commonECCurve = "P-256"

// keyDescription names a key with its article: "an RSA-2048", "an ECDSA P-256".
func keyDescription(c *chain.Cert) string {
	switch c.KeyType {
	case "rsa":
		return "an RSA-" + Thousands(c.KeyBits)
	case "ecdsa":
		return "an ECDSA " + c.Curve
	case "ed25519":
		return "an Ed25519"
	}
	return "a " + c.KeyType
}

// curveAliases maps the names a profile may use for a curve to the NIST
// name zcrypto reports (Cert.Curve).
var curveAliases = map[string]string{
	"secp256r1": "P-256", "prime256v1": "P-256", "p256": "P-256",
	"secp384r1": "P-384", "p384": "P-384",
	"secp521r1": "P-521", "p521": "P-521",
}

func curveAllowed(allowed []string, curve string) bool {
	for _, a := range allowed {
		name := a
		if alias, ok := curveAliases[strings.ToLower(a)]; ok {
			name = alias
		}
		if strings.EqualFold(name, curve) {
			return true
		}
	}
	return false
}
