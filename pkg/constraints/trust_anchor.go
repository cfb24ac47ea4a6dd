package constraints

import (
	"fmt"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "trust-anchor", Fields: []string{"trust.model", "trust.store", "trust.accepts_intermediate_anchor", "trust.anchor_match"},
			Description: "the device's CA file or built-in store anchors the served chain"},
		Requires: []Requirement{
			trustModelKnown,
		},
		Execute: trustAnchor,
	})
}

// trustAnchor checks that what the device trusts anchors the served chain:
// its built-in store, or the CA the user loads into it. The classic field
// failure (seed 001) is an intermediate loaded as the CA of a device that
// needs the root.
func trustAnchor(obs *chain.Observation, p *Profile) []Finding {
	switch p.Trust.Model {
	case "none":
		return []Finding{unverified(p, "any chain is accepted")}
	case "builtin-store", "loaded-ca":
	default:
		return skip(fmt.Sprintf("unknown trust model %q in the %s profile", p.Trust.Model, p.Name))
	}
	path := DevicePath(obs, p)
	if orderOrSignature(path.Failure) {
		return skip(fmt.Sprintf("%s's path breaks at certificate #%d before it reaches an anchor; chain-complete says why",
			p.Name, path.Failure.At))
	}
	switch {
	case p.Trust.Model == "builtin-store":
		return []Finding{builtinStoreFinding(obs, path, p)}
	case len(obs.CAFiles) > 0:
		return []Finding{caFileAnchorFinding(obs, path, p)}
	}
	return []Finding{rootToLoadFinding(obs, path, p)}
}

// unverified is what every trust check reports for a device that verifies
// nothing: it connects, so this is no failure, but the connection is not
// authenticated, which must never read as a pass.
func unverified(p *Profile, consequence string) Finding {
	return Finding{Severity: Warn, CertIndex: -1, Limit: "none",
		Message: fmt.Sprintf("%s does not verify the server's certificate, so %s; the connection is encrypted but anyone on the path can impersonate the server", p.Name, consequence),
		Fix:     "verify the server on the device (a CA it holds, or a pinned key) where the stack allows it"}
}

func builtinStoreFinding(obs *chain.Observation, path *chain.Path, p *Profile) Finding {
	if p.Trust.Store != "" {
		s, err := LoadStore(p.Trust.Store)
		if err != nil {
			return Finding{Severity: Warn, CertIndex: -1, Message: "the device's root store cannot be read: " + err.Error()}
		}
		return storeFinding(obs, path, p, s)
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: "builtin-store"}
	switch {
	case path.OK():
		a := path.Anchor
		f.CertIndex, f.Actual = a.Index, a.Subject
		f.Message = fmt.Sprintf("the chain anchors at %s, a widely trusted root; %s's built-in store should hold it", a.Subject, p.Name)
	case path.Loadable.OK():
		a := path.Loadable.Anchor
		f.Severity = Fail
		f.CertIndex, f.Actual = a.Index, a.Subject
		f.Message = fmt.Sprintf("the chain anchors at %s, which is not a widely trusted root; %s's built-in store will not hold it", a.Subject, p.Name)
		f.Fix = "the service must chain to a widely trusted root"
	default:
		f.Severity = Fail
		f.Message = "no known root anchors this chain, so " + p.Name + "'s built-in store is unlikely to hold one"
		f.Fix = "the service must chain to a widely trusted root"
	}
	return f
}

// caFileAnchorFinding judges the CA files the device holds against the
// served chain: which held certificate ends the device's path, and, when
// none does, which root would.
func caFileAnchorFinding(obs *chain.Observation, path *chain.Path, p *Profile) Finding {
	f := Finding{Severity: Pass, CertIndex: -1}
	if path.OK() {
		a := path.Anchor
		f.Actual = a.Subject
		if a.SelfSigned {
			f.Message = fmt.Sprintf("the CA file's root %s anchors the chain", a.Subject)
		} else {
			f.Message = fmt.Sprintf("the CA file holds the intermediate %s, and %s accepts an intermediate as its anchor", a.Subject, p.Name)
		}
		if a.Source == chain.SourceCAFile && len(obs.CAFiles) > 1 {
			f.Message += " (from " + path.AnchorFrom + ")"
		}
		return f
	}
	f.Severity = Fail
	if fail := path.Failure; fail != nil && fail.Kind == chain.IntermediateRefused && fail.Held != nil {
		held := fail.Held
		f.Actual = held.Subject
		f.Message = fmt.Sprintf("the CA file holds %s, an intermediate; %s needs the root that issued it", held.Subject, p.Name)
		if !p.sourced("trust.accepts_intermediate_anchor") {
			// No source says the device refuses an intermediate anchor:
			// loading the root is the safe advice, not a predicted failure.
			f.Severity = Warn
			f.Message = fmt.Sprintf("the CA file holds %s, an intermediate; whether %s accepts an intermediate as its anchor is unknown (no source found), so load the root that issued it", held.Subject, p.Name)
		}
		if root := rootFor(path, held); root != nil {
			f.Limit = root.Subject
			f.Message += ", " + root.Subject
			f.Fix = fmt.Sprintf("load the root %s (SKI %s, %s bytes DER) instead of %s", root.Subject, skiOrNone(root), Thousands(root.DERBytes()), held.CommonName)
		} else {
			f.Limit = held.Issuer
			f.Fix = fmt.Sprintf("load the root that issued %s: %s%s", held.CommonName, held.Issuer, akiNote(held))
		}
		return f
	}
	f.Actual = caSubjects(obs.CAFiles)
	f.Message = fmt.Sprintf("the CA file %s holds %s, which anchors none of the served certificates", caFileNames(obs.CAFiles), f.Actual)
	if fail := path.Failure; fail != nil && fail.Kind == chain.BadSignature && fail.Held != nil {
		f.Message = fmt.Sprintf("the CA file holds %s, which has the name of the issuer of certificate #%d, but its key does not verify that certificate's signature (a re-keyed or different CA of the same name)",
			fail.Held.Subject, fail.At)
	}
	served := obs.Served()
	if root := pathAnchor(path); root != nil && root.SelfSigned {
		f.Limit = root.Subject
		f.Fix = fmt.Sprintf("load %s (SKI %s) instead", root.Subject, skiOrNone(root))
	} else if fail := path.Failure; fail != nil && fail.At >= 0 && fail.At < len(served) {
		c := served[fail.At]
		f.Limit = c.Issuer
		f.Fix = "load the root that issued " + c.Label() + ": " + c.Issuer + akiNote(c) +
			" (no root certlint knows completes the path; if that issuer is itself an intermediate, the service must send it too)"
	}
	return f
}

// rootFor names the root to load in place of a held intermediate: the
// root that completes the path, else the store root that issued it.
func rootFor(path *chain.Path, held *chain.Cert) *chain.Cert {
	if a := pathAnchor(path); a != nil && a.SelfSigned {
		return a
	}
	if root := chain.FindStoreRoot(held); root != nil && root.SelfSigned {
		return root
	}
	return nil
}

// rootToLoadFinding is the verdict without --ca: the root the device must
// hold, which the user cannot have checked yet.
func rootToLoadFinding(obs *chain.Observation, path *chain.Path, p *Profile) Finding {
	a := pathAnchor(path)
	if a == nil {
		f := Finding{Severity: Fail, CertIndex: -1,
			Message: "no known root anchors this chain; pass the device's CA with --ca",
			Fix:     "load the root of the chain into " + p.Name + " and name its file with --ca"}
		served := obs.Served()
		if fail := path.Failure; fail != nil && fail.At >= 0 && fail.At < len(served) && served[fail.At].Issuer != "" {
			c := served[fail.At]
			f.Actual = c.Issuer
			f.Message += "; " + c.Label() + " is issued by " + c.Issuer + akiNote(c)
		}
		return f
	}
	return Finding{Severity: Pass, CertIndex: a.Index, Actual: a.Subject,
		Message: fmt.Sprintf("device must hold %s (SKI %s, %s bytes DER); load it with --ca to check the file",
			a.Subject, skiOrNone(a), Thousands(a.DERBytes())),
		Fix: fmt.Sprintf("load %s (SKI %s) into %s%s; `certlint root` with the same input and --device %s writes the file and the steps to load it",
			a.Subject, skiOrNone(a), p.Name, caPathNote(p, a), p.Selector())}
}

// caSubjects lists the subjects the CA files hold.
func caSubjects(files []*chain.CAFile) string {
	var names []string
	for _, f := range files {
		for _, c := range f.Certs {
			names = append(names, c.Subject)
		}
	}
	if len(names) == 0 {
		return "no certificates"
	}
	return strings.Join(names, "; ")
}

// caFileNames lists the CA files' paths.
func caFileNames(files []*chain.CAFile) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Path
	}
	return strings.Join(names, ", ")
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
