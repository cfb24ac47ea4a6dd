package constraints

import (
	"bytes"
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

// chainComplete checks that the server sends every intermediate the
// device needs, in order. Devices do not fetch missing intermediates (no
// AIA chasing) and many do not reorder, so a chain a browser repairs
// silently fails on them.
type chainComplete struct{}

func init() { Register(chainComplete{}) }

func (chainComplete) ID() string { return "chain-complete" }

func (chainComplete) Description() string {
	return "the server sends every intermediate up to the anchor, each followed by its issuer"
}

func (chainComplete) Fields() []string { return []string{"trust.model"} }

func (chainComplete) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	served := obs.Served()
	if len(served) == 0 {
		return skip("the server sent no certificates")
	}
	if p.Trust.Model == "none" {
		return []Finding{unverified(p, "missing intermediates do not matter to it")}
	}
	var out []Finding
	for i := 0; i+1 < len(served); i++ {
		if f, bad := linkFinding(served, i, obs.Anchor); bad {
			out = append(out, f)
		}
	}
	top := served[len(served)-1]
	out = append(out, topFinding(top, obs.Anchor))
	return out
}

// linkFinding judges the link from served[i] to served[i+1]: fine when
// i+1 issued i, a warning when the issuer is elsewhere in the chain (order)
// or when the chain already ended at the anchor (an extra certificate).
func linkFinding(served []*chain.Cert, i int, anchor *chain.Cert) (Finding, bool) {
	c, next := served[i], served[i+1]
	if issuedBy(c, next) {
		return Finding{}, false
	}
	f := Finding{Severity: Warn, CertIndex: c.Index}
	for j, other := range served {
		if j != i && issuedBy(c, other) {
			f.Message = fmt.Sprintf("the chain is out of order: %s is issued by %s, not by the next one, %s",
				c.Label(), other.Label(), next.Label())
			f.Limit, f.Actual = i+1, j
			f.Fix = "the service must send each certificate followed by its issuer (leaf first)"
			return f, true
		}
	}
	if c.SelfSigned || (anchor != nil && (issuedBy(c, anchor) || c.SHA256 == anchor.SHA256)) {
		f.Message = fmt.Sprintf("the server sends %s after the path already reached its anchor; it is not needed", next.Label())
		f.CertIndex = next.Index
		f.Fix = "the service can drop the extra certificate, which the device must still receive and may not have room for"
		return f, true
	}
	f.Severity = Fail
	f.Message = fmt.Sprintf("the server does not send the issuer of %s: %s%s; %s does not follow from it",
		c.Label(), c.Issuer, akiNote(c), next.Label())
	f.Actual = c.Issuer
	f.Fix = "the service must send the intermediate " + c.Issuer + " after " + c.Label()
	return f, true
}

// topFinding judges the top served certificate: it must be a root, be
// issued by the anchor, or be the anchor the device holds.
func topFinding(top, anchor *chain.Cert) Finding {
	f := Finding{Severity: Pass, CertIndex: top.Index}
	switch {
	case top.SelfSigned:
		f.Message = fmt.Sprintf("the chain is complete up to the root the server sends, %s", top.Label())
	case anchor != nil && top.SHA256 == anchor.SHA256:
		f.Message = fmt.Sprintf("the chain ends at %s, which the device holds as its anchor", top.Label())
	case anchor != nil && issuedBy(top, anchor):
		f.Message = fmt.Sprintf("the chain is complete: %s is issued by the anchor %s", top.Label(), anchor.Subject)
	default:
		f.Severity = Fail
		f.Actual = top.Issuer
		f.Message = fmt.Sprintf("the server does not send the issuer of %s: %s%s", top.Label(), top.Issuer, akiNote(top))
		if anchor == nil {
			f.Message += "; no known root issued it, so an intermediate is missing"
		} else {
			f.Message += fmt.Sprintf("; the anchor %s did not issue it", anchor.Subject)
		}
		f.Fix = "the service must send the intermediate " + top.Issuer + " after " + top.Label()
	}
	return f
}

// issuedBy reports whether parent issued child, by key identifiers when
// both carry them, else by name. It does not verify the signature: the
// question is how the server ordered its chain, not whether it is forged.
func issuedBy(child, parent *chain.Cert) bool {
	if len(child.AKI) > 0 && len(parent.SKI) > 0 {
		return bytes.Equal(child.AKI, parent.SKI)
	}
	if child.Parsed != nil && parent.Parsed != nil {
		return bytes.Equal(child.Parsed.RawIssuer, parent.Parsed.RawSubject)
	}
	return child.Issuer != "" && child.Issuer == parent.Subject
}

// akiNote quotes the Authority Key Identifier, by which the missing issuer
// can be found, when the certificate has one.
func akiNote(c *chain.Cert) string {
	if len(c.AKI) == 0 {
		return ""
	}
	return " (AKI " + c.AKIHex() + ")"
}
