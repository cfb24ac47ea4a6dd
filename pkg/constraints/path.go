package constraints

import (
	"github.com/certlint/certlint/pkg/chain"
)

// PathRules returns how the device builds its path, with each unknown
// resolved to what most stacks do: issuers found anywhere in what was
// sent (mbedTLS, wolfSSL), the path ending at the first certificate whose
// issuer the device holds (BearSSL, mbedTLS, wolfSSL), anchors found by
// name and verified by key. Checks that depend on an unknown say so.
func (p *Profile) PathRules() chain.PathRules {
	r := chain.PathRules{
		Order:                  chain.PathOrder(p.Trust.PathOrder),
		StopsAtFirstHeldIssuer: true,
		IntermediateAnchor:     p.Trust.AcceptsIntermediateAnchor,
		Match:                  chain.AnchorMatch(p.Trust.AnchorMatch),
	}
	if r.Order != chain.OrderStrict && r.Order != chain.OrderLater {
		r.Order = chain.OrderAny
	}
	if stops, known := Bool(p.Trust.StopsAtFirstHeldIssuer); known {
		r.StopsAtFirstHeldIssuer = stops
	}
	if r.Match == "" || r.Match == chain.MatchUnknown {
		r.Match = chain.MatchDNKey
	}
	return r
}

// orderKnown reports whether the profile says how the device orders the
// chain.
func (p *Profile) orderKnown() bool {
	switch chain.PathOrder(p.Trust.PathOrder) {
	case chain.OrderStrict, chain.OrderLater, chain.OrderAny:
		return true
	}
	return false
}

// DevicePath returns the path the device builds through the observed
// chain: the one the runner recorded for it (Observation.Paths), else
// built now. It is the single answer the chain checks read.
func DevicePath(obs *chain.Observation, p *Profile) *chain.Path {
	if path := obs.Paths[p.Selector()]; path != nil {
		return path
	}
	return BuildDevicePath(obs, p)
}

// BuildDevicePath builds the device's path from what the server sent and
// what the device holds: the CA files (--ca) for a device the user loads
// a CA into, the built-in store for one that ships roots; without --ca,
// the roots the user could load. When the held anchors find no path, the
// path to a root that could be loaded is attached as Loadable, so a fix
// can name it.
func BuildDevicePath(obs *chain.Observation, p *Profile) *chain.Path {
	served := obs.Served()
	rules := p.PathRules()
	held, loadable := heldAnchors(obs, p, served)
	path := chain.BuildPath(served, held, rules, obs.CheckedAt)
	if !path.OK() && !loadable {
		path.Loadable = chain.BuildPath(served, chain.LoadableAnchors(served, obs.Store), rules, obs.CheckedAt)
	}
	for q := path; q != nil; q = q.Loadable {
		q.Anchor = listed(obs, q)
	}
	return path
}

// listed returns the Chain entry of the path's anchor when the
// observation lists it (a served root, or an anchor already added), so
// findings carry its index; else the path's own copy.
func listed(obs *chain.Observation, path *chain.Path) *chain.Cert {
	a := path.Anchor
	if a == nil {
		return nil
	}
	if i := path.AnchorServed; i >= 0 && i < len(obs.Chain) {
		return obs.Chain[i]
	}
	for _, c := range obs.Chain {
		if c.SHA256 == a.SHA256 && c.Source != chain.SourceServed {
			return c
		}
	}
	return a
}

// heldAnchors returns the anchors the device holds, and whether they are
// already every root it could be given (no --ca: the user loads whichever
// root completes the path).
func heldAnchors(obs *chain.Observation, p *Profile, served []*chain.Cert) (*chain.Anchors, bool) {
	switch p.Trust.Model {
	case "loaded-ca":
		if len(obs.CAFiles) > 0 {
			return chain.CAFileAnchors(obs.CAFiles), false
		}
		return chain.LoadableAnchors(served, obs.Store), true
	case "builtin-store":
		if obs.Store != nil {
			return obs.Store, false
		}
		if s, err := LoadStore(p.Trust.Store); err == nil {
			return s.Anchors(), false
		}
		return chain.StoreAnchors(), false
	}
	return nil, false
}

// pathCert is one certificate a device receives or holds, and whether it
// is off the device's path (sent, received, but not validated with).
type pathCert struct {
	cert   *chain.Cert
	unused bool
}

// deviceCerts lists what a check of every certificate looks at for this
// device: the served certificates in served order, each marked when it is
// not on the device's path, then the anchor of the path (or of the path
// to a root it could load) when the server did not send it.
func deviceCerts(obs *chain.Observation, p *Profile) []pathCert {
	served := obs.Served()
	path := DevicePath(obs, p).Effective()
	out := make([]pathCert, 0, len(served)+1)
	for i, c := range served {
		out = append(out, pathCert{cert: c, unused: !path.OnPath(i) && path.AnchorServed != i})
	}
	if a := pathAnchor(path); a != nil && a.Source != chain.SourceServed {
		out = append(out, pathCert{cert: a})
	}
	return out
}

// pathAnchor is the anchor that ends the device's path, or when it has
// none, the root that would (nil when none is known).
func pathAnchor(path *chain.Path) *chain.Cert {
	if q := path.Effective(); q.OK() {
		return q.Anchor
	}
	return nil
}

// eachDeviceCert executes a check certificate by certificate over the
// device's path (deviceCerts), anchor included; a failure on a certificate
// the device does not use is demoted (demoteUnused).
func eachDeviceCert(finding func(c *chain.Cert, p *Profile) Finding) func(*chain.Observation, *Profile) []Finding {
	return func(obs *chain.Observation, p *Profile) []Finding {
		var out []Finding
		for _, c := range deviceCerts(obs, p) {
			out = append(out, demoteUnused(finding(c.cert, p), c, p))
		}
		return out
	}
}

// demoteUnused turns a failure on a certificate the device does not use
// into a warning that says so, unless the profile says the device
// validates every certificate it receives; when that is unknown the
// warning says it is unknown.
func demoteUnused(f Finding, c pathCert, p *Profile) Finding {
	if !c.unused || f.Severity != Fail {
		return f
	}
	validates, known := Bool(p.Trust.ValidatesUnused)
	switch {
	case known && validates:
		f.Message += "; it is not on the path, but " + p.Name + " validates every certificate it receives"
		return f
	case known:
		f.Message += "; " + p.Name + " receives it but does not use it (it is not on the path)"
	default:
		f.Message += "; it is not on " + p.Name + "'s path, and whether " + p.Name + " validates certificates it does not use is unknown"
	}
	f.Severity = Warn
	return f
}
