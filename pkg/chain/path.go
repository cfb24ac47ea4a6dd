package chain

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zmap/zcrypto/x509"
)

// PathOrder says where a device looks for the issuer of a served
// certificate among the other certificates the server sent.
type PathOrder string

// The path orders a profile can name (trust.path_order).
const (
	// OrderStrict: the chain is validated as served, each certificate
	// issued by the next one (BearSSL's x509_minimal).
	OrderStrict PathOrder = "strict"
	// OrderLater: the issuer is looked for among the certificates sent
	// after the certificate, in any order (mbedTLS 2.28's
	// x509_crt_find_parent_in searches from the child onwards).
	OrderLater PathOrder = "later"
	// OrderAny: the issuer is looked for anywhere in what was sent.
	OrderAny PathOrder = "any"
	// OrderUnknown: not known; certlint builds the path as OrderAny does
	// and warns where the order matters.
	OrderUnknown PathOrder = "unknown"
)

// AnchorMatch says how a device finds the held anchor that issued a
// certificate.
type AnchorMatch string

// The anchor lookups a profile can name (trust.anchor_match).
const (
	// MatchDNKey: the anchor's subject name equals the certificate's issuer
	// name, and every anchor with that name is tried against the signature
	// (BearSSL, mbedTLS).
	MatchDNKey AnchorMatch = "dn-key"
	// MatchDN: the first anchor whose subject name equals the issuer name
	// is the one the signature must verify with.
	MatchDN AnchorMatch = "dn"
	// MatchSKI: the anchor whose Subject Key Identifier equals the
	// certificate's Authority Key Identifier (SPWF04).
	MatchSKI AnchorMatch = "ski"
	// MatchSubjectHash: a hash of the issuer name, or the Authority Key
	// Identifier when there is one, finds the anchor (wolfSSL's CA table).
	MatchSubjectHash AnchorMatch = "subject-hash"
	// MatchUnknown: not known; certlint matches as MatchDNKey does.
	MatchUnknown AnchorMatch = "unknown"
)

// PathOrders and AnchorMatches list the values a profile may give.
var (
	PathOrders    = []string{string(OrderStrict), string(OrderLater), string(OrderAny), string(OrderUnknown)}
	AnchorMatches = []string{string(MatchDNKey), string(MatchDN), string(MatchSKI), string(MatchSubjectHash), string(MatchUnknown)}
)

// PathRules is how a device builds a path from what the server sent to an
// anchor it holds. Unknown behaviour is resolved by the caller (the
// profile) to the value right for most stacks; the zero value is the
// strictest reading: served order, no stop at a held issuer, no
// intermediate anchor, anchors matched by name and key.
type PathRules struct {
	Order PathOrder
	// StopsAtFirstHeldIssuer: the path ends at the first served
	// certificate whose issuer the device holds; what follows is ignored.
	StopsAtFirstHeldIssuer bool
	// IntermediateAnchor: a held CA that is not self-signed can end the path.
	IntermediateAnchor bool
	Match              AnchorMatch
}

// FailureKind says why a device finds no path.
type FailureKind string

// The reasons a path cannot be built.
const (
	// IssuerNotSent: the issuer of a certificate is neither sent nor held.
	IssuerNotSent FailureKind = "issuer-not-sent"
	// AnchorNotHeld: the path reached a root the device does not hold.
	AnchorNotHeld FailureKind = "anchor-not-held"
	// BadSignature: a certificate names an issuer that was sent or is
	// held, but the issuer's key does not verify its signature.
	BadSignature FailureKind = "bad-signature"
	// OrderNotAccepted: the issuer was sent, but not right after the
	// certificate, and the device takes the chain only in served order.
	OrderNotAccepted FailureKind = "order"
	// IntermediateRefused: the device holds the issuer, but it is an
	// intermediate and the device does not take one as its anchor.
	IntermediateRefused FailureKind = "intermediate-anchor"
)

// PathFailure is why no path was found, at which served certificate.
type PathFailure struct {
	Kind FailureKind
	// At is the served index of the certificate whose issuer the device
	// could not find (or could not use).
	At int
	// Issuer is the issuer name looked for.
	Issuer string
	// IssuerAt is the served index where the issuer was sent, for
	// OrderNotAccepted and for a BadSignature from a served certificate;
	// -1 otherwise.
	IssuerAt int
	// Held is the held certificate involved: the refused intermediate, or
	// the anchor whose key did not verify.
	Held *Cert
}

// Path is the one answer to "how does this device trust this chain": the
// certificates it validates (indexes into the served list, leaf first,
// each issued by the next), the anchor that ends the path and where it
// came from, the certificates sent but not on the path, and, when there is
// no path, why. Every check that asks about the path reads this value.
type Path struct {
	// Served holds indexes into the served list, leaf first. On a failed
	// path it holds as far as the device got.
	Served []int
	// Anchor is the held certificate that ends the path (a copy; Source
	// is its origin), nil when there is no path.
	Anchor *Cert
	// AnchorFrom names the CA file or store the anchor came from.
	AnchorFrom string
	// AnchorServed is the served index of a certificate that is itself the
	// held anchor (a served root the device holds), or -1.
	AnchorServed int
	// Unused lists the served certificates not on the path (nor the
	// served anchor), in served order.
	Unused []int
	// Unverifiable lists the unused certificates whose issuer is neither
	// sent nor held: a stack that validates every certificate it receives
	// (wolfSSL without WOLFSSL_ALT_CERT_CHAINS) rejects the chain on them.
	Unverifiable []int
	// Failure says why there is no path; nil when there is one.
	Failure *PathFailure
	// Loadable is the path the same device would build holding the roots
	// it could be given (the store and any root the server sends): it
	// names the root that completes the path. Set by the caller when the
	// held anchors find no path; nil otherwise.
	Loadable *Path
}

// OK reports whether the device finds a path to an anchor it holds.
func (p *Path) OK() bool { return p != nil && p.Failure == nil && p.Anchor != nil }

// Effective is the path that decides which certificates the device
// validates: the path itself when it reaches a held anchor, else the path
// to a root it could load when there is one, else the path as far as it
// got.
func (p *Path) Effective() *Path {
	if !p.OK() && p.Loadable.OK() {
		return p.Loadable
	}
	return p
}

// InServedOrder reports whether the path takes the served certificates in
// the order they were sent (0, 1, 2, ...).
func (p *Path) InServedOrder() bool {
	for i, idx := range p.Served {
		if idx != i {
			return false
		}
	}
	return true
}

// OnPath reports whether served certificate i is on the path.
func (p *Path) OnPath(i int) bool {
	for _, idx := range p.Served {
		if idx == i {
			return true
		}
	}
	return false
}

// ErrNoAnchor is the error a caller reports when no anchor ends the path.
var ErrNoAnchor = errors.New("no trust anchor found")

// Err returns nil for a path, else an error wrapping ErrNoAnchor that says
// which certificate's issuer was not found.
func (p *Path) Err(served []*Cert) error {
	if p.OK() {
		return nil
	}
	if p.Failure == nil || p.Failure.At < 0 || p.Failure.At >= len(served) {
		return ErrNoAnchor
	}
	c := served[p.Failure.At]
	return fmt.Errorf("%w: nothing issued %s (issuer %s)", ErrNoAnchor, c.Label(), c.Issuer)
}

// BuildPath builds the path a device with these rules builds from the
// served chain and the anchors it holds (held may be nil: it holds none).
// at is the device's clock: where two issuers or anchors fit, one valid
// at that time is preferred, as mbedTLS does, so an expired cross-sign
// loses to a current root. Signatures are verified; a signature algorithm
// certlint cannot verify counts as verifying (the device decides, and the
// signature check reports the algorithm).
func BuildPath(served []*Cert, held *Anchors, rules PathRules, at time.Time) *Path {
	if len(served) == 0 {
		return &Path{AnchorServed: -1, Failure: &PathFailure{Kind: IssuerNotSent, At: -1, IssuerAt: -1}}
	}
	b := &pathBuilder{served: served, held: held, rules: rules, at: at}
	p := b.extend([]int{0})
	seen := map[int]bool{}
	for _, i := range p.Served {
		seen[i] = true
	}
	for i := range served {
		if !seen[i] && i != p.AnchorServed {
			p.Unused = append(p.Unused, i)
			if !b.verifiable(i) {
				p.Unverifiable = append(p.Unverifiable, i)
			}
		}
	}
	return p
}

// verifiable reports whether a device that validates every certificate
// it receives can verify served certificate i: it is held, or its issuer
// was sent or is held.
func (b *pathBuilder) verifiable(i int) bool {
	c := b.served[i]
	if b.held.holdsDER(c) {
		return true // the very certificate is held; a copy with the same key is not (wolfSSL checks its signature)
	}
	for j, other := range b.served {
		if j != i && verifyLink(other, c) == linkOK {
			return true
		}
	}
	for _, h := range b.held.issuersOf(c, b.rules.Match) {
		if verifyLink(h.Cert(), c) == linkOK {
			return true
		}
	}
	return false
}

type pathBuilder struct {
	served []*Cert
	held   *Anchors
	rules  PathRules
	at     time.Time
	steps  int // extend calls so far; bounded by maxPathSteps
}

// maxPathSteps bounds the search over alternative issuers: a hostile chain
// of many certificates with one name must not make it exponential. Past
// it only the first candidate issuer is followed.
const maxPathSteps = 256

// extend continues a path whose last element is the certificate to find
// an issuer for, and returns the completed path or the first failure.
func (b *pathBuilder) extend(path []int) *Path {
	b.steps++
	last := path[len(path)-1]
	cur := b.served[last]
	// The certificate is itself a held anchor (a served root the device
	// holds, or an intermediate it takes as its anchor).
	var refused *PathFailure
	if len(path) > 1 || cur.SelfSigned {
		if h := b.held.holding(cur); h != nil {
			if h.Cert().SelfSigned || b.rules.IntermediateAnchor {
				return b.done(path, h, last)
			}
			refused = &PathFailure{Kind: IntermediateRefused, At: last, Issuer: cur.Issuer, IssuerAt: -1, Held: anchorCopy(h)}
		}
	}
	if b.rules.StopsAtFirstHeldIssuer {
		h, fail := b.heldIssuer(path)
		if h != nil {
			return b.done(path, h, -1)
		}
		refused = orFailureOf(refused, fail)
	}
	if cur.SelfSigned {
		return b.fail(path, orFailure(refused, PathFailure{Kind: AnchorNotHeld, At: last, Issuer: cur.Issuer, IssuerAt: -1}))
	}
	var firstFail *Path
	for _, j := range b.servedIssuers(path) {
		p := b.extend(append(append([]int(nil), path...), j))
		if p.OK() {
			return p
		}
		if firstFail == nil {
			firstFail = p
		}
		if b.steps > maxPathSteps {
			break
		}
	}
	if !b.rules.StopsAtFirstHeldIssuer {
		h, fail := b.heldIssuer(path)
		if h != nil {
			return b.done(path, h, -1)
		}
		refused = orFailureOf(refused, fail)
	}
	if firstFail != nil {
		return firstFail
	}
	if refused != nil {
		return b.fail(path, *refused)
	}
	return b.fail(path, b.missingIssuer(path))
}

// missingIssuer says why no served certificate continues the path: the
// issuer was sent out of order (strict), sent with a bad signature, or not
// sent at all.
func (b *pathBuilder) missingIssuer(path []int) PathFailure {
	last := path[len(path)-1]
	cur := b.served[last]
	f := PathFailure{Kind: IssuerNotSent, At: last, Issuer: cur.Issuer, IssuerAt: -1}
	for j, c := range b.served {
		if slices.Contains(path, j) {
			continue
		}
		switch verifyLink(c, cur) {
		case linkOK:
			if !b.mayFollow(last, j) {
				return PathFailure{Kind: OrderNotAccepted, At: last, Issuer: cur.Issuer, IssuerAt: j}
			}
		case linkBadSignature:
			f = PathFailure{Kind: BadSignature, At: last, Issuer: cur.Issuer, IssuerAt: j}
		}
	}
	return f
}

// mayFollow reports whether the device looks for the issuer of served
// certificate i at position j.
func (b *pathBuilder) mayFollow(i, j int) bool {
	switch b.rules.Order {
	case OrderStrict:
		return j == i+1
	case OrderLater:
		return j > i
	}
	return true
}

// servedIssuers returns the served certificates that may continue the
// path: the next one only for a strict device, one sent later for a
// "later" device, else any not yet on the path; those valid at the
// device's clock first.
func (b *pathBuilder) servedIssuers(path []int) []int {
	last := path[len(path)-1]
	cur := b.served[last]
	if b.rules.Order == OrderStrict {
		if next := last + 1; next < len(b.served) && verifyLink(b.served[next], cur) == linkOK {
			return []int{next}
		}
		return nil
	}
	var valid, expired []int
	for j, c := range b.served {
		if slices.Contains(path, j) || !b.mayFollow(last, j) || verifyLink(c, cur) != linkOK {
			continue
		}
		if b.validAt(c) {
			valid = append(valid, j)
		} else {
			expired = append(expired, j)
		}
	}
	return append(valid, expired...)
}

// heldIssuer returns the held anchor that issued the last certificate of
// the path, looked up the device's way, or the failure that explains why a
// matching anchor could not be used.
func (b *pathBuilder) heldIssuer(path []int) (*HeldAnchor, *PathFailure) {
	last := path[len(path)-1]
	cur := b.served[last]
	var valid, expired []*HeldAnchor
	var fail *PathFailure
	for _, h := range b.held.issuersOf(cur, b.rules.Match) {
		a := h.Cert()
		if a.SHA256 == cur.SHA256 {
			continue
		}
		switch verifyLink(a, cur) {
		case linkOK:
			if !a.SelfSigned && !b.rules.IntermediateAnchor {
				fail = &PathFailure{Kind: IntermediateRefused, At: last, Issuer: cur.Issuer, IssuerAt: -1, Held: anchorCopy(h)}
				continue
			}
			if b.validAt(a) {
				valid = append(valid, h)
			} else {
				expired = append(expired, h)
			}
		case linkBadSignature:
			if fail == nil {
				fail = &PathFailure{Kind: BadSignature, At: last, Issuer: cur.Issuer, IssuerAt: -1, Held: anchorCopy(h)}
			}
		}
		if b.rules.Match == MatchDN {
			break // only the first anchor of that name is tried
		}
	}
	if best := append(valid, expired...); len(best) > 0 {
		return best[0], nil
	}
	return nil, fail
}

func (b *pathBuilder) validAt(c *Cert) bool {
	return b.at.IsZero() || (!b.at.Before(c.NotBefore) && !b.at.After(c.NotAfter))
}

// done ends the path at a held anchor. When the server also sends that
// anchor (a root the device holds), it is noted as served, not unused.
func (b *pathBuilder) done(path []int, h *HeldAnchor, servedAnchor int) *Path {
	a := anchorCopy(h)
	if servedAnchor < 0 {
		for j, c := range b.served {
			if !slices.Contains(path, j) && c.SHA256 == a.SHA256 {
				servedAnchor = j
				break
			}
		}
	}
	return &Path{Served: path, Anchor: a, AnchorFrom: h.From, AnchorServed: servedAnchor}
}

func (b *pathBuilder) fail(path []int, f PathFailure) *Path {
	return &Path{Served: path, AnchorServed: -1, Failure: &f}
}

func orFailure(f *PathFailure, otherwise PathFailure) PathFailure {
	if f != nil {
		return *f
	}
	return otherwise
}

// orFailureOf keeps the first failure found.
func orFailureOf(first, then *PathFailure) *PathFailure {
	if first != nil {
		return first
	}
	return then
}

// issuersOf returns the held anchors a device using match would consider
// as the issuer of c.
func (a *Anchors) issuersOf(c *Cert, match AnchorMatch) []*HeldAnchor {
	if c == nil || c.Parsed == nil {
		return nil
	}
	switch match {
	case MatchSKI:
		return a.withSKI(c.AKI)
	case MatchSubjectHash:
		if len(c.AKI) > 0 {
			return a.withSKI(c.AKI)
		}
	}
	return a.withSubject(c.Parsed.RawIssuer)
}

type link int

const (
	linkNone link = iota
	linkOK
	linkBadSignature
)

// verifyLink says whether parent issued child: its subject is the child's
// issuer name (or its SKI the child's AKI) and its key verifies the
// child's signature. A signature algorithm certlint cannot verify counts
// as verifying.
func verifyLink(parent, child *Cert) link {
	if parent.Parsed == nil || child.Parsed == nil {
		return linkNone
	}
	nameMatch := bytes.Equal(child.Parsed.RawIssuer, parent.Parsed.RawSubject)
	keyMatch := len(child.AKI) > 0 && len(parent.SKI) > 0 && bytes.Equal(child.AKI, parent.SKI)
	if !nameMatch && !keyMatch {
		return linkNone
	}
	if len(child.AKI) > 0 && len(parent.SKI) > 0 && !keyMatch {
		return linkNone // a different key of the same name (a re-keyed CA)
	}
	err := child.checkSignatureFrom(parent)
	if err == nil || errors.Is(err, x509.ErrUnsupportedAlgorithm) {
		return linkOK
	}
	return linkBadSignature
}
