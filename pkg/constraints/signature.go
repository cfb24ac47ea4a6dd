package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "signature", Fields: []string{"certificates.signature_hashes"},
			Description: "every served certificate is signed with a hash the device implements"},
		Requires: []Requirement{
			profileLists("supported signature hashes", func(p *Profile) []string { return p.Certificates.SignatureHashes }),
			certsServed("the chain is empty"),
		},
		Execute: signature,
	})
}

// signature checks the hash of every signature the device must verify: the
// signature on each served certificate. The anchor's self-signature is not
// verified by devices (they trust the root's key as given), so the anchor
// gets a pass that says so instead of a verdict on its hash.
func signature(obs *chain.Observation, p *Profile) []Finding {
	anchor := pathAnchor(DevicePath(obs, p))
	var out []Finding
	for _, c := range deviceCerts(obs, p) {
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
