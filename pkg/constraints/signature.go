package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

// signature checks the hash of every signature the device must verify: the
// signature on each served certificate. The anchor's self-signature is not
// verified by devices (they trust the root's key as given), so the anchor
// gets a pass that says so instead of a verdict on its hash.
type signature struct{}

func init() { Register(signature{}) }

func (signature) ID() string { return "signature" }

func (signature) Description() string {
	return "every served certificate is signed with a hash the device implements"
}

func (signature) Fields() []string { return []string{"certificates.signature_hashes"} }

func (signature) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	allowed := p.Certificates.SignatureHashes
	if len(allowed) == 0 {
		return skip("the " + p.Name + " profile lists no supported signature hashes")
	}
	certs := deviceCerts(obs, p)
	if len(certs) == 0 {
		return skip("the chain is empty")
	}
	anchor := pathAnchor(DevicePath(obs, p))
	var out []Finding
	for _, c := range certs {
		out = append(out, demoteUnused(signatureFinding(c.cert, anchor, p), c, p))
	}
	return out
}

func signatureFinding(c, anchor *chain.Cert, p *Profile) Finding {
	allowed := strings.Join(p.Certificates.SignatureHashes, ", ")
	f := Finding{Severity: Pass, CertIndex: c.Index, Limit: allowed, Actual: c.SignatureHash}
	switch {
	case anchor != nil && c.SHA256 == anchor.SHA256 && c.SelfSigned:
		f.Limit, f.Actual = nil, nil
		f.Message = fmt.Sprintf("%s is the trust anchor; devices do not verify its self-signature (%s)", c.Label(), c.SignatureAlgorithm)
	case c.Parsed == nil:
		f.Severity = Warn
		f.Message = fmt.Sprintf("%s could not be parsed (%s); its signature hash is unknown", c.Label(), c.ParseError)
	case !containsFold(p.Certificates.SignatureHashes, c.SignatureHash):
		f.Severity = Fail
		f.Message = fmt.Sprintf("%s is signed with %s (%s); %s verifies only %s signatures",
			c.Label(), c.SignatureAlgorithm, c.SignatureHash, p.Name, allowed)
		f.Fix = fmt.Sprintf("the issuer of %s must sign it with %s", c.Label(), strings.Join(p.Certificates.SignatureHashes, " or "))
	default:
		f.Message = fmt.Sprintf("%s is signed with %s; %s verifies %s signatures", c.Label(), c.SignatureAlgorithm, p.Name, allowed)
	}
	return f
}
