package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

// trustAnchor checks that what the device trusts anchors the served chain:
// its built-in store, or the CA the user loads into it. The classic field
// failure (seed 001) is an intermediate loaded as the CA of a device that
// needs the root.
type trustAnchor struct{}

func init() { Register(trustAnchor{}) }

func (trustAnchor) ID() string { return "trust-anchor" }

func (trustAnchor) Description() string {
	return "the device's CA file or built-in store anchors the served chain"
}

func (trustAnchor) Fields() []string {
	return []string{"trust.model", "trust.accepts_intermediate_anchor"}
}

func (trustAnchor) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	switch p.Trust.Model {
	case "":
		return skip("the " + p.Name + " profile does not say how the device trusts a chain")
	case "none":
		return []Finding{unverified(p, "any chain is accepted")}
	case "builtin-store":
		return []Finding{builtinStoreFinding(obs, p)}
	case "loaded-ca":
		if obs.CAFile != nil {
			return []Finding{caFileAnchorFinding(obs, p)}
		}
		return []Finding{rootToLoadFinding(obs, p)}
	}
	return skip(fmt.Sprintf("unknown trust model %q in the %s profile", p.Trust.Model, p.Name))
}

// unverified is what every trust check reports for a device that verifies
// nothing: it connects, so this is no failure, but the connection is not
// authenticated, which must never read as a pass.
func unverified(p *Profile, consequence string) Finding {
	return Finding{Severity: Warn, CertIndex: -1, Limit: "none",
		Message: fmt.Sprintf("%s does not verify the server's certificate, so %s; the connection is encrypted but anyone on the path can impersonate the server", p.Name, consequence),
		Fix:     "verify the server on the device (a CA it holds, or a pinned key) where the stack allows it"}
}

func builtinStoreFinding(obs *chain.Observation, p *Profile) Finding {
	a := obs.Anchor
	f := Finding{Severity: Pass, CertIndex: -1, Limit: "builtin-store"}
	switch {
	case a == nil:
		f.Severity = Fail
		f.Message = "no known root anchors this chain, so " + p.Name + "'s built-in store is unlikely to hold one"
		f.Fix = "the service must chain to a widely trusted root"
	case a.Source == chain.SourceStore || chain.FindStoreRoot(a) != nil:
		f.CertIndex, f.Actual = a.Index, a.Subject
		f.Message = fmt.Sprintf("the chain anchors at %s, a widely trusted root; %s's built-in store should hold it", a.Subject, p.Name)
	default:
		f.Severity = Fail
		f.CertIndex, f.Actual = a.Index, a.Subject
		f.Message = fmt.Sprintf("the chain anchors at %s, which is not a widely trusted root; %s's built-in store will not hold it", a.Subject, p.Name)
		f.Fix = "the service must chain to a widely trusted root"
	}
	return f
}

// caFileAnchorFinding judges the CA file the device holds against the
// served chain: which CA-file certificate anchors it, and whether the
// device may use that certificate as its anchor.
func caFileAnchorFinding(obs *chain.Observation, p *Profile) Finding {
	served := obs.Served()
	ca := anchoringCACert(served, obs.CAFile.Certs)
	f := Finding{Severity: Pass, CertIndex: -1}
	if ca == nil {
		f.Severity = Fail
		f.Actual = caSubjects(obs.CAFile.Certs)
		f.Message = fmt.Sprintf("the CA file %s holds %s, which anchors none of the served certificates", obs.CAFile.Path, f.Actual)
		root := neededRoot(obs, served)
		if root != nil {
			f.Limit = root.Subject
			f.Fix = fmt.Sprintf("load %s (SKI %s) instead", root.Subject, root.SKIHex())
		} else if len(served) > 0 {
			top := served[len(served)-1]
			f.Limit = top.Issuer
			f.Fix = "load the root that issued " + top.Label() + ": " + top.Issuer + akiNote(top)
		}
		return f
	}
	f.Actual = ca.Subject
	switch {
	case ca.SelfSigned:
		f.Message = fmt.Sprintf("the CA file's root %s anchors the chain", ca.Subject)
	case p.Trust.AcceptsIntermediateAnchor:
		f.Message = fmt.Sprintf("the CA file holds the intermediate %s, and %s accepts an intermediate as its anchor", ca.Subject, p.Name)
	default:
		f.Severity = Fail
		f.Message = fmt.Sprintf("the CA file holds %s, an intermediate; %s needs the root that issued it", ca.Subject, p.Name)
		if root := chain.FindStoreRoot(ca); root != nil && root.SelfSigned {
			f.Limit = root.Subject
			f.Message += ", " + root.Subject
			f.Fix = fmt.Sprintf("load the root %s (SKI %s, %s bytes DER) instead of %s", root.Subject, root.SKIHex(), commas(root.DERBytes()), ca.CommonName)
		} else {
			f.Limit = ca.Issuer
			f.Fix = fmt.Sprintf("load the root that issued %s: %s%s", ca.CommonName, ca.Issuer, akiNote(ca))
		}
	}
	return f
}

// anchoringCACert returns the CA-file certificate that anchors the served
// chain, looking from the top of the chain down: one that issued a served
// certificate, or that is itself served.
func anchoringCACert(served, caCerts []*chain.Cert) *chain.Cert {
	for i := len(served) - 1; i >= 0; i-- {
		for _, ca := range caCerts {
			if ca.SHA256 == served[i].SHA256 || issuedBy(served[i], ca) {
				return ca
			}
		}
	}
	return nil
}

// neededRoot returns the root that anchors the served chain as certlint
// found it without the CA file: a served root or a store root.
func neededRoot(obs *chain.Observation, served []*chain.Cert) *chain.Cert {
	if a := obs.Anchor; a != nil && a.Source != chain.SourceCAFile && a.SelfSigned {
		return a
	}
	if len(served) == 0 {
		return nil
	}
	if root := chain.FindStoreRoot(served[len(served)-1]); root != nil && root.SelfSigned {
		return root
	}
	return nil
}

// rootToLoadFinding is the verdict without --ca: the root the device must
// hold, which the user cannot have checked yet.
func rootToLoadFinding(obs *chain.Observation, p *Profile) Finding {
	a := obs.Anchor
	if a == nil {
		f := Finding{Severity: Fail, CertIndex: -1,
			Message: "no known root anchors this chain; pass the device's CA with --ca",
			Fix:     "load the root of the chain into " + p.Name + " and name its file with --ca"}
		if served := obs.Served(); len(served) > 0 && served[len(served)-1].Issuer != "" {
			top := served[len(served)-1]
			f.Actual = top.Issuer
			f.Message += "; the top certificate is issued by " + top.Issuer + akiNote(top)
		}
		return f
	}
	return Finding{Severity: Pass, CertIndex: a.Index, Actual: a.Subject,
		Message: fmt.Sprintf("device must hold %s (SKI %s, %s bytes DER); load it with --ca to check the file",
			a.Subject, skiOrNone(a), commas(a.DERBytes())),
		Fix: fmt.Sprintf("load %s (SKI %s) into %s%s; `certlint root` with the same input and --device %s writes the file and the steps to load it",
			a.Subject, skiOrNone(a), p.Name, caPathNote(p, a), p.Selector())}
}

func caSubjects(certs []*chain.Cert) string {
	if len(certs) == 0 {
		return "no certificates"
	}
	names := make([]string, len(certs))
	for i, c := range certs {
		names[i] = c.Subject
	}
	return strings.Join(names, "; ")
}

func skiOrNone(c *chain.Cert) string {
	if len(c.SKI) == 0 {
		return "none"
	}
	return c.SKIHex()
}

// caPathNote names the file the CA goes to on the device, when the profile
// knows it, with {ski} filled in.
func caPathNote(p *Profile, c *chain.Cert) string {
	if p.Trust.CAPath == "" {
		return ""
	}
	return " as " + caPath(p, c)
}

// caPath is the profile's CA path with {ski} replaced by the lower-case
// hex SKI of c.
func caPath(p *Profile, c *chain.Cert) string {
	return strings.ReplaceAll(p.Trust.CAPath, "{ski}", c.SKIHex())
}
