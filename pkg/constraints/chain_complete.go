package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "chain-complete", Fields: []string{"trust.model", "trust.path_order", "trust.stops_at_first_held_issuer", "trust.validates_unused"},
			Description: "the server sends every intermediate on the device's path to its anchor, in an order the device accepts"},
		Requires: []Requirement{
			certsServed("the server sent no certificates"),
		},
		Execute: chainComplete,
	})
}

// chainComplete checks that the server sends every intermediate the
// device needs, in an order the device accepts. Devices do not fetch
// missing intermediates (no AIA chasing) and some do not reorder, so a
// chain a browser repairs silently fails on them. It reads the device's
// path (DevicePath): what the path needs, not every certificate sent.
func chainComplete(obs *chain.Observation, p *Profile) []Finding {
	served := obs.Served()
	if p.Trust.Model == "none" {
		return []Finding{unverified(p, "missing intermediates do not matter to it")}
	}
	path := DevicePath(obs, p)
	// The chain is complete when the device reaches an anchor it holds,
	// or would reach one it can be given (trust-anchor judges which).
	complete := path
	if !path.OK() && path.Loadable.OK() && !orderOrSignature(path.Failure) {
		complete = path.Loadable
	}
	var out []Finding
	if complete.OK() {
		if f, ok := orderFinding(served, complete, p); ok {
			out = append(out, f)
		}
		out = append(out, unusedFindings(served, complete, p)...)
		return append(out, completeFinding(served, complete))
	}
	if f := path.Failure; f != nil && f.Kind == chain.IntermediateRefused && f.Held != nil {
		// The chain reaches a CA the device holds; whether that CA may be
		// its anchor is the trust-anchor finding.
		c := served[f.At]
		return append(out, Finding{Severity: Pass, CertIndex: c.Index,
			Message: fmt.Sprintf("the chain reaches %s, which the device holds (%s); trust-anchor says whether %s takes it as its anchor",
				f.Held.Subject, f.Held.Source, p.Name)})
	}
	return append(out, pathFailureFinding(served, path.Failure, p))
}

// orderWords says where a device looks for an issuer, by trust.path_order.
var orderWords = map[chain.PathOrder]string{
	chain.OrderStrict: "only in the next certificate: it validates the chain as served",
	chain.OrderLater:  "only among the certificates sent after it",
	chain.OrderAny:    "anywhere in what was sent",
}

// orderOrSignature reports failures that are the served chain's fault
// whatever the device holds.
func orderOrSignature(f *chain.PathFailure) bool {
	return f != nil && (f.Kind == chain.OrderNotAccepted || (f.Kind == chain.BadSignature && f.IssuerAt >= 0))
}

// orderFinding notes a path that takes the served certificates out of
// order: fine for a device that looks for issuers anywhere, a warning
// when it is not known whether the device does.
func orderFinding(served []*chain.Cert, path *chain.Path, p *Profile) (Finding, bool) {
	if path.InServedOrder() {
		return Finding{}, false
	}
	at, issuer := outOfOrder(path)
	c := served[at]
	f := Finding{Severity: Pass, CertIndex: c.Index, Limit: at + 1, Actual: issuer,
		Message: fmt.Sprintf("the chain is out of order: %s is issued by %s, not by the next one; %s looks for the issuer %s",
			c.Label(), served[issuer].Label(), p.Name, orderWords[chain.PathOrder(p.Trust.PathOrder)])}
	if !p.orderKnown() {
		f.Severity = Warn
		f.Message = fmt.Sprintf("the chain is out of order: %s is issued by %s, not by the next one; whether %s looks for issuers out of order is unknown (stacks that validate the chain as served, such as BearSSL, fail)",
			c.Label(), served[issuer].Label(), p.Name)
		f.Fix = "the service should send each certificate followed by its issuer (leaf first)"
	}
	return f, true
}

// outOfOrder returns the first path position whose issuer is not the
// next certificate served, as (served index, served index of its issuer).
func outOfOrder(path *chain.Path) (int, int) {
	for k := 0; k+1 < len(path.Served); k++ {
		if path.Served[k+1] != path.Served[k]+1 {
			return path.Served[k], path.Served[k+1]
		}
	}
	return path.Served[0], path.Served[0]
}

// unusedFindings says, in one finding, which served certificates the path
// does not use. A device that stops at the first held issuer ignores
// them; when that is unknown, a certificate sent after the path's end that
// is not a copy of the anchor is a warning, since a device that validates
// the chain to its end would follow it. A device that validates every
// certificate it receives fails on one whose issuer it cannot find.
func unusedFindings(served []*chain.Cert, path *chain.Path, p *Profile) []Finding {
	if len(path.Unused) == 0 {
		return nil
	}
	end := path.Served[len(path.Served)-1]
	_, stopKnown := Bool(p.Trust.StopsAtFirstHeldIssuer)
	validates, validatesKnown := Bool(p.Trust.ValidatesUnused)
	labels := make([]string, len(path.Unused))
	for k, i := range path.Unused {
		labels[k] = served[i].Label()
	}
	first := served[path.Unused[0]]
	f := Finding{Severity: Pass, CertIndex: first.Index, Actual: len(path.Unused),
		Message: fmt.Sprintf("the server also sends %s, not on %s's path to %s; the device receives %s but does not validate with %s",
			nameSummary(labels), p.Name, path.Anchor.Subject, plural(len(labels), "it", "them"), plural(len(labels), "it", "them"))}
	dropFix := "the service can drop what the path does not use, which the device must still receive and may not have room for"
	if len(path.Unverifiable) > 0 && (!validatesKnown || validates) {
		c := served[path.Unverifiable[0]]
		f.CertIndex = c.Index
		if validatesKnown {
			f.Severity = Fail
			f.Message = fmt.Sprintf("the server sends %s, which is not on the path and whose issuer %s is neither sent nor held; %s validates every certificate it receives, so it rejects the chain",
				c.Label(), c.Issuer, p.Name)
			f.Fix = "the service must drop " + c.Label() + ", or the device must also hold " + c.Issuer
			return []Finding{f}
		}
		f.Severity, f.Fix = Warn, dropFix
		f.Message = fmt.Sprintf("the server sends %s, which is not on the path and whose issuer %s is neither sent nor held; stacks that validate every certificate they receive (wolfSSL without WOLFSSL_ALT_CERT_CHAINS) reject the chain, and whether %s does is unknown",
			c.Label(), c.Issuer, p.Name)
		return []Finding{f}
	}
	if !stopKnown {
		for _, i := range path.Unused {
			if c := served[i]; i > end && c.SHA256 != path.Anchor.SHA256 {
				f.Severity, f.CertIndex, f.Fix = Warn, c.Index, dropFix
				f.Message = fmt.Sprintf("the server sends %s after the path already reached %s, which %s is expected to hold; stacks that stop at the first issuer they hold (BearSSL, mbedTLS) ignore it, but whether %s does is unknown",
					c.Label(), path.Anchor.Subject, p.Name, p.Name)
				break
			}
		}
	}
	return []Finding{f}
}

// completeFinding is the pass for a complete path: where it ends.
func completeFinding(served []*chain.Cert, path *chain.Path) Finding {
	top := served[path.Served[len(path.Served)-1]]
	if path.AnchorServed >= 0 {
		top = served[path.AnchorServed]
	}
	f := Finding{Severity: Pass, CertIndex: top.Index}
	switch {
	case path.AnchorServed >= 0 && top.SelfSigned:
		f.Message = fmt.Sprintf("the chain is complete up to the root the server sends, %s", top.Label())
	case path.AnchorServed >= 0:
		f.Message = fmt.Sprintf("the chain ends at %s, which the device holds as its anchor", top.Label())
	default:
		f.Message = fmt.Sprintf("the chain is complete: %s is issued by the anchor %s", top.Label(), path.Anchor.Subject)
	}
	return f
}

// pathFailureFinding fails the chain where the device's path breaks.
func pathFailureFinding(served []*chain.Cert, fail *chain.PathFailure, p *Profile) Finding {
	if fail == nil || fail.At < 0 {
		return Finding{Severity: Fail, CertIndex: -1, Message: "no path could be built through the chain"}
	}
	c := served[fail.At]
	f := Finding{Severity: Fail, CertIndex: c.Index, Actual: c.Issuer}
	switch fail.Kind {
	case chain.OrderNotAccepted:
		f.Limit, f.Actual = fail.At+1, fail.IssuerAt
		f.Message = fmt.Sprintf("the chain is out of order: %s is issued by %s (position %d), not by the next one (position %d); %s looks for the issuer %s",
			c.Label(), served[fail.IssuerAt].Label(), fail.IssuerAt, fail.At+1, p.Name, orderWords[chain.PathOrder(p.Trust.PathOrder)])
		if p.Trust.PathOrder == string(chain.OrderStrict) && fail.At+1 < len(served) {
			// A stack that validates as served stops at the certificate in
			// the issuer's place (BearSSL: BR_ERR_X509_DN_MISMATCH there).
			f.CertIndex = served[fail.At+1].Index
		}
		f.Fix = "the service must send each certificate followed by its issuer (leaf first)"
	case chain.BadSignature:
		from := "the anchor " + fail.Issuer
		if fail.IssuerAt >= 0 {
			from = served[fail.IssuerAt].Label()
		}
		f.Message = fmt.Sprintf("the signature of %s does not verify with the key of %s, which carries its issuer's name", c.Label(), from)
		f.Fix = "the service must send the certificate its issuer really signed (a re-keyed CA needs its new intermediate)"
	default:
		// An issuer that is neither sent nor a root certlint knows is either
		// a missing intermediate or a private root the user did not pass;
		// the chain alone cannot tell which, so the fix names both.
		f.Message = fmt.Sprintf("the server does not send the issuer of %s: %s%s, and it is not a root certlint knows",
			c.Label(), c.Issuer, akiNote(c))
		if fail.At+1 < len(served) {
			f.Message = fmt.Sprintf("the server does not send the issuer of %s: %s%s; %s does not follow from it",
				c.Label(), c.Issuer, akiNote(c), served[fail.At+1].Label())
		}
		f.Fix = "if " + c.Issuer + " is an intermediate, the service must send it after " + c.Label() +
			"; if it is a private root the device holds, pass that root with --ca so the path can end there"
	}
	return f
}

// akiNote quotes the Authority Key Identifier, by which the missing issuer
// can be found, when the certificate has one.
func akiNote(c *chain.Cert) string {
	if len(c.AKI) == 0 {
		return ""
	}
	return " (AKI " + c.AKIHex() + ")"
}
