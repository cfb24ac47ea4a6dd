package chain

import (
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// pathPKI holds generated chains for the path cases of issue 11.
type pathPKI struct {
	root, inter, leaf          *testpki.Cert
	upper, lower, deepLeaf     *testpki.Cert // root → upper → lower → deepLeaf
	oldRoot, newRoot           *testpki.Cert // one root name and key, issued twice: expired and current
	sameKeyInter, sameKeyLeaf  *testpki.Cert // under that root
	crossSigner, expiredCross  *testpki.Cert // root's key certified by another root, expired
	noSKIRoot, noSKIInter      *testpki.Cert
	noSKILeaf                  *testpki.Cert
	at                         time.Time
	longAgo, lastYear, farAway time.Time
}

func newPathPKI() *pathPKI {
	now := time.Now()
	k := &pathPKI{at: now, longAgo: now.AddDate(-10, 0, 0), lastYear: now.AddDate(-1, 0, 0), farAway: now.AddDate(10, 0, 0)}
	k.root = testpki.Root(testpki.Spec{CN: "path Root"})
	k.inter = k.root.Intermediate(testpki.Spec{CN: "path CA"})
	k.leaf = k.inter.Leaf(testpki.Spec{CN: "path.test", DNSNames: []string{"path.test"}})
	k.upper = k.root.Intermediate(testpki.Spec{CN: "path Upper CA"})
	k.lower = k.upper.Intermediate(testpki.Spec{CN: "path Lower CA"})
	k.deepLeaf = k.lower.Leaf(testpki.Spec{CN: "deep.test", DNSNames: []string{"deep.test"}})
	// testpki keys a certificate's key by CN: the same CN twice is the same
	// key, so these are one root issued twice, and a cross-sign of path Root.
	k.oldRoot = testpki.Root(testpki.Spec{CN: "path Renewed Root", NotBefore: k.longAgo, NotAfter: k.lastYear})
	k.newRoot = testpki.Root(testpki.Spec{CN: "path Renewed Root", NotBefore: k.lastYear, NotAfter: k.farAway})
	k.sameKeyInter = k.newRoot.Intermediate(testpki.Spec{CN: "path Renewed CA"})
	k.sameKeyLeaf = k.sameKeyInter.Leaf(testpki.Spec{CN: "renewed.test", DNSNames: []string{"renewed.test"}})
	k.crossSigner = testpki.Root(testpki.Spec{CN: "path Old Cross Signer", NotBefore: k.longAgo, NotAfter: k.lastYear})
	k.expiredCross = k.crossSigner.Intermediate(testpki.Spec{CN: "path Root", NotBefore: k.longAgo, NotAfter: k.lastYear})
	k.noSKIRoot = testpki.Root(testpki.Spec{CN: "path Root Without SKI", NoSKI: true})
	k.noSKIInter = k.noSKIRoot.Intermediate(testpki.Spec{CN: "path CA under a root without SKI"})
	k.noSKILeaf = k.noSKIInter.Leaf(testpki.Spec{CN: "noski.test", DNSNames: []string{"noski.test"}})
	return k
}

func certs(t *testing.T, tcs ...*testpki.Cert) []*Cert {
	t.Helper()
	out, err := ParseChain(testpki.Chain(tcs).DER())
	if err != nil {
		t.Fatal(err)
	}
	AssignRoles(out)
	return out
}

func heldSet(t *testing.T, tcs ...*testpki.Cert) *Anchors {
	a := NewAnchors()
	for _, c := range certs(t, tcs...) {
		a.AddCert(c, SourceCAFile, "ca.pem")
	}
	return a
}

// TestBuildPath covers the path cases of issue 11 on generated chains:
// an extra certificate past the anchor, a chain out of order (any order
// passes, strict fails naming the position), two held roots of which one
// has expired, an expired cross-sign off the path, an intermediate as the
// anchor allowed or not, and the anchor found by SKI.
func TestBuildPath(t *testing.T) {
	k := newPathPKI()
	any := PathRules{Order: OrderAny, StopsAtFirstHeldIssuer: true, Match: MatchDNKey}
	strict := PathRules{Order: OrderStrict, StopsAtFirstHeldIssuer: true, Match: MatchDNKey}
	noStop := PathRules{Order: OrderStrict, Match: MatchDNKey}
	later := PathRules{Order: OrderLater, StopsAtFirstHeldIssuer: true, Match: MatchDNKey}
	withInter := any
	withInter.IntermediateAnchor = true
	ski := any
	ski.Match = MatchSKI

	type want struct {
		served   []int
		anchor   string // CN of the anchor; "" = no path
		notAfter time.Time
		atServed int
		unused   []int
		kind     FailureKind
		failAt   int
		issuerAt int
	}
	tests := []struct {
		name   string
		served []*testpki.Cert
		held   []*testpki.Cert
		rules  PathRules
		want   want
	}{
		{"in order to a held root", []*testpki.Cert{k.leaf, k.inter}, []*testpki.Cert{k.root}, strict,
			want{served: []int{0, 1}, anchor: "path Root", atServed: -1}},
		{"the served root the device holds ends the path", []*testpki.Cert{k.leaf, k.inter, k.root}, []*testpki.Cert{k.root}, strict,
			want{served: []int{0, 1}, anchor: "path Root", atServed: 2}},
		{"an extra certificate past the anchor is unused", []*testpki.Cert{k.leaf, k.inter, k.root, k.upper}, []*testpki.Cert{k.root}, strict,
			want{served: []int{0, 1}, anchor: "path Root", atServed: 2, unused: []int{3}}},
		{"out of order passes a device that looks anywhere", []*testpki.Cert{k.deepLeaf, k.upper, k.lower}, []*testpki.Cert{k.root}, any,
			want{served: []int{0, 2, 1}, anchor: "path Root", atServed: -1}},
		{"out of order fails a strict device, naming the position", []*testpki.Cert{k.deepLeaf, k.upper, k.lower}, []*testpki.Cert{k.root}, strict,
			want{served: []int{0}, unused: []int{1, 2}, kind: OrderNotAccepted, failAt: 0, issuerAt: 2}},
		{"out of order, the issuer sent earlier: a later-only device (mbedTLS) fails", []*testpki.Cert{k.deepLeaf, k.upper, k.lower}, []*testpki.Cert{k.root}, later,
			want{served: []int{0, 2}, unused: []int{1}, kind: OrderNotAccepted, failAt: 2, issuerAt: 1}},
		{"out of order, each issuer sent after: a later-only device passes", []*testpki.Cert{k.leaf, k.root, k.inter}, []*testpki.Cert{k.root}, later,
			want{served: []int{0, 2}, anchor: "path Root", atServed: 1}},
		{"two held roots of one name: the current one wins over the expired one", []*testpki.Cert{k.sameKeyLeaf, k.sameKeyInter}, []*testpki.Cert{k.oldRoot, k.newRoot}, any,
			want{served: []int{0, 1}, anchor: "path Renewed Root", notAfter: k.farAway, atServed: -1}},
		{"an expired cross-sign after the held issuer is unused", []*testpki.Cert{k.leaf, k.inter, k.expiredCross}, []*testpki.Cert{k.root}, strict,
			want{served: []int{0, 1}, anchor: "path Root", atServed: -1, unused: []int{2}}},
		{"a device that does not stop walks into the expired cross-sign, whose key it holds", []*testpki.Cert{k.leaf, k.inter, k.expiredCross}, []*testpki.Cert{k.root}, noStop,
			want{served: []int{0, 1, 2}, anchor: "path Root", atServed: 2}},
		{"holding only the cross signer, the cross-sign is the only path", []*testpki.Cert{k.leaf, k.inter, k.expiredCross}, []*testpki.Cert{k.crossSigner}, any,
			want{served: []int{0, 1, 2}, anchor: "path Old Cross Signer", atServed: -1}},
		{"an intermediate anchor, accepted", []*testpki.Cert{k.leaf, k.inter}, []*testpki.Cert{k.inter}, withInter,
			want{served: []int{0}, anchor: "path CA", atServed: 1}},
		{"an intermediate anchor, refused (seed 001)", []*testpki.Cert{k.leaf, k.inter}, []*testpki.Cert{k.inter}, any,
			want{served: []int{0, 1}, kind: IntermediateRefused, failAt: 1, issuerAt: -1}},
		{"the issuer is neither sent nor held", []*testpki.Cert{k.leaf}, []*testpki.Cert{k.root}, any,
			want{served: []int{0}, kind: IssuerNotSent, failAt: 0, issuerAt: -1}},
		{"a served root the device does not hold", []*testpki.Cert{k.leaf, k.inter, k.root}, []*testpki.Cert{k.newRoot}, any,
			want{served: []int{0, 1, 2}, kind: AnchorNotHeld, failAt: 2, issuerAt: -1}},
		{"anchor found by SKI", []*testpki.Cert{k.leaf, k.inter}, []*testpki.Cert{k.root}, ski,
			want{served: []int{0, 1}, anchor: "path Root", atServed: -1}},
		{"a root without SKI is not found by SKI", []*testpki.Cert{k.noSKILeaf, k.noSKIInter}, []*testpki.Cert{k.noSKIRoot}, ski,
			want{served: []int{0, 1}, kind: IssuerNotSent, failAt: 1, issuerAt: -1}},
		{"a root without SKI is found by name", []*testpki.Cert{k.noSKILeaf, k.noSKIInter}, []*testpki.Cert{k.noSKIRoot}, any,
			want{served: []int{0, 1}, anchor: "path Root Without SKI", atServed: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served := certs(t, tt.served...)
			p := BuildPath(served, heldSet(t, tt.held...), tt.rules, k.at)
			if !equalInts(p.Served, tt.want.served) || !equalInts(p.Unused, tt.want.unused) {
				t.Errorf("served %v unused %v, want %v unused %v", p.Served, p.Unused, tt.want.served, tt.want.unused)
			}
			if tt.want.anchor == "" {
				if p.OK() || p.Failure == nil {
					t.Fatalf("path to %v, want failure %s", p.Anchor, tt.want.kind)
				}
				f := p.Failure
				if f.Kind != tt.want.kind || f.At != tt.want.failAt || f.IssuerAt != tt.want.issuerAt {
					t.Errorf("failure %s at %d (issuer at %d), want %s at %d (issuer at %d)", f.Kind, f.At, f.IssuerAt, tt.want.kind, tt.want.failAt, tt.want.issuerAt)
				}
				return
			}
			if !p.OK() {
				t.Fatalf("no path: %+v", p.Failure)
			}
			if p.Anchor.CommonName != tt.want.anchor || p.AnchorServed != tt.want.atServed || p.Anchor.Source != SourceCAFile {
				t.Errorf("anchor %s (served at %d, %s), want %s (served at %d)", p.Anchor.CommonName, p.AnchorServed, p.Anchor.Source, tt.want.anchor, tt.want.atServed)
			}
			if !tt.want.notAfter.IsZero() && p.Anchor.NotAfter.Before(k.at) {
				t.Errorf("anchor valid until %s: the expired root was chosen over the current one", p.Anchor.NotAfter)
			}
		})
	}
}

// TestCAFileAnchorsBySKI loads the root as a DER and as a PEM CA file and
// finds it by SKI either way (SPWF04Sx looks its CA up by SKI).
func TestCAFileAnchorsBySKI(t *testing.T) {
	k := newPathPKI()
	served := certs(t, k.leaf, k.inter)
	rules := PathRules{Order: OrderAny, StopsAtFirstHeldIssuer: true, Match: MatchSKI}
	for _, data := range [][]byte{k.root.DER, k.root.PEM()} {
		p := BuildPath(served, CAFileAnchors([]*CAFile{caFile(t, data)}), rules, k.at)
		if !p.OK() || p.Anchor.CommonName != "path Root" || p.AnchorFrom == "" {
			t.Errorf("CA file (%d bytes): path %+v, want path Root from the file", len(data), p)
		}
	}
}

// TestBuildPathBounded: a hostile chain of many certificates with one name
// must not make the search over alternatives explode.
func TestBuildPathBounded(t *testing.T) {
	k := newPathPKI()
	chain := []*testpki.Cert{k.leaf}
	for range 30 {
		chain = append(chain, k.inter, k.expiredCross)
	}
	p := BuildPath(certs(t, chain...), heldSet(t, k.crossSigner), PathRules{Order: OrderAny, Match: MatchDNKey}, k.at)
	if !p.OK() {
		t.Fatalf("no path through a repetitive chain: %+v", p.Failure)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
