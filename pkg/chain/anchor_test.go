package chain

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

const baltimoreSKI = "e59d5930824758ccacfa085436867b3ab5044df0"

// testChain issues root -> intermediate -> leaf and returns them parsed as
// certlint sees them, in served order.
func testChain(t *testing.T, prefix string) (leaf, inter, root *Cert, pki testpki.Chain) {
	t.Helper()
	r := testpki.Root(testpki.Spec{CN: prefix + "-root"})
	i := r.Intermediate(testpki.Spec{CN: prefix + "-inter"})
	l := i.Leaf(testpki.Spec{CN: prefix + ".example", DNSNames: []string{prefix + ".example"}})
	pki = testpki.Chain{l, i, r}
	certs, err := ParseChain(pki.DER())
	if err != nil {
		t.Fatal(err)
	}
	return certs[0], certs[1], certs[2], pki
}

// caFile writes data as a CA file and loads it.
func caFile(t *testing.T, data []byte) *CAFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCAFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func loadTestChain(t *testing.T, path string) []*Cert {
	t.Helper()
	certs, err := LoadChainFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return certs
}

// TestPathAnchor checks which anchor ends the path for the held sets a
// device can have: CA files, the store, the roots it could load.
func TestPathAnchor(t *testing.T) {
	leaf, inter, root, pki := testChain(t, "anchor")
	otherLeaf, otherInter, _, otherPKI := testChain(t, "other")
	bing := loadTestChain(t, filepath.Join("testdata", "bing-2019.pem"))
	cas := func(files ...*CAFile) *Anchors { return CAFileAnchors(files) }
	rules := PathRules{Order: OrderAny, StopsAtFirstHeldIssuer: true, Match: MatchDNKey}

	tests := []struct {
		name       string
		served     []*Cert
		held       *Anchors
		wantSource Source
		wantSHA    string // SHA-256 of the expected anchor; "" = no path
		wantServed int    // AnchorServed
		wantKind   FailureKind
	}{
		{"ca-file root", []*Cert{leaf, inter}, cas(caFile(t, pki[2].PEM())), SourceCAFile, root.SHA256, -1, ""},
		{"ca-file root in a bundle", []*Cert{leaf, inter}, cas(caFile(t, append(otherPKI[2].PEM(), pki[2].PEM()...))), SourceCAFile, root.SHA256, -1, ""},
		{"ca-file root in the second of two files", []*Cert{leaf, inter}, cas(caFile(t, otherPKI[2].PEM()), caFile(t, pki[2].PEM())), SourceCAFile, root.SHA256, -1, ""},
		{"ca-file intermediate also served, refused", []*Cert{leaf, inter}, cas(caFile(t, pki[1].PEM())), "", "", -1, IntermediateRefused},
		{"ca-file equals served root", []*Cert{leaf, inter, root}, cas(caFile(t, pki[2].PEM())), SourceCAFile, root.SHA256, 2, ""},
		{"served self-signed, loadable", []*Cert{leaf, inter, root}, LoadableAnchors([]*Cert{leaf, inter, root}, nil), SourceServed, root.SHA256, 2, ""},
		{"unrelated ca-file, served root not held", []*Cert{leaf, inter, root}, cas(caFile(t, otherPKI[2].PEM())), "", "", -1, AnchorNotHeld},
		{"store root for real Baltimore chain", bing, StoreAnchors(), SourceStore, "16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb", -1, ""},
		{"none found", []*Cert{otherLeaf, otherInter}, LoadableAnchors([]*Cert{otherLeaf, otherInter}, nil), "", "", -1, IssuerNotSent},
		{"unrelated ca-file, none found", []*Cert{otherLeaf, otherInter}, cas(caFile(t, pki[2].PEM())), "", "", -1, IssuerNotSent},
		{"nothing held", []*Cert{leaf, inter}, nil, "", "", -1, IssuerNotSent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			AssignRoles(tt.served)
			p := BuildPath(tt.served, tt.held, rules, time.Now())
			if tt.wantSHA == "" {
				if p.OK() || p.Failure == nil || p.Failure.Kind != tt.wantKind {
					t.Fatalf("got path %v to %v, failure %+v; want failure %s", p.Served, p.Anchor, p.Failure, tt.wantKind)
				}
				if !errors.Is(p.Err(tt.served), ErrNoAnchor) {
					t.Errorf("Err = %v, want ErrNoAnchor", p.Err(tt.served))
				}
				return
			}
			if !p.OK() {
				t.Fatalf("no path: %+v", p.Failure)
			}
			if p.Anchor.Source != tt.wantSource || p.Anchor.SHA256 != tt.wantSHA || p.AnchorServed != tt.wantServed {
				t.Errorf("anchor %s from %s (served at %d); want %s from %s (served at %d)",
					p.Anchor.Subject, p.Anchor.Source, p.AnchorServed, tt.wantSHA, tt.wantSource, tt.wantServed)
			}
			for _, c := range tt.served {
				if c == p.Anchor {
					t.Error("the anchor must be a copy, not a served certificate")
				}
			}
		})
	}
}

// TestIntermediateLoadedAsCA is seed 001: the device holds "Microsoft IT TLS
// CA 1" instead of its root. The anchor check must be able to name the root.
func TestIntermediateLoadedAsCA(t *testing.T) {
	ca, err := LoadCAFile(filepath.Join("..", "..", "examples", "MicrosoftITTLSCA1.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	loaded := ca.Certs[0]
	if IsRootCert(loaded) {
		t.Fatal("Microsoft IT TLS CA 1 reported as a root")
	}
	root := FindStoreRoot(loaded)
	if root == nil {
		t.Fatal("no store root found for Microsoft IT TLS CA 1")
	}
	if root.CommonName != "Baltimore CyberTrust Root" || root.SKIHex() != baltimoreSKI || root.Source != SourceStore || !IsRootCert(root) {
		t.Errorf("root %q SKI %s source %s", root.CommonName, root.SKIHex(), root.Source)
	}
	if !IsRetiredStoreRoot(root) {
		t.Error("Baltimore is not marked as a retired store root")
	}
	if IsRetiredStoreRoot(loaded) {
		t.Error("an intermediate is marked as a retired store root")
	}
}

func TestFindStoreRoot(t *testing.T) {
	for r := range bundle.Roots() {
		c := NewCert(r.Certificate)
		if c.Parsed == nil {
			continue // a root zcrypto cannot parse is not indexed
		}
		got := FindStoreRoot(c)
		if got == nil || got.SHA256 != c.SHA256 || got.Source != SourceStore {
			t.Errorf("store root %s: FindStoreRoot returned %v", c.Subject, got)
		}
		if IsRetiredStoreRoot(c) {
			t.Errorf("current root %s marked retired", c.Subject)
		}
		break
	}
	leaf, _, _, _ := testChain(t, "nostore")
	if got := FindStoreRoot(leaf); got != nil {
		t.Errorf("test leaf: FindStoreRoot returned %s", got.Subject)
	}
	if FindStoreRoot(nil) != nil || FindStoreRoot(&Cert{}) != nil {
		t.Error("nil or unparsed certificate: want nil")
	}
	if p := BuildPath(nil, StoreAnchors(), PathRules{}, time.Now()); p.OK() || p.Err(nil) == nil {
		t.Error("BuildPath with no served certificates: want no path")
	}
}

func TestAssignRoles(t *testing.T) {
	leaf, inter, root, _ := testChain(t, "roles")
	fresh := func(cs ...*Cert) []*Cert {
		out := make([]*Cert, len(cs))
		for i, c := range cs {
			cp := *c
			out[i] = &cp
		}
		return out
	}
	tests := []struct {
		name  string
		chain []*Cert
		want  []Role
	}{
		{"full chain", fresh(leaf, inter, root), []Role{RoleLeaf, RoleIntermediate, RoleRoot}},
		{"no root", fresh(leaf, inter), []Role{RoleLeaf, RoleIntermediate}},
		{"leaf only", fresh(leaf), []Role{RoleLeaf}},
		{"single self-signed", fresh(root), []Role{RoleRoot}},
		{"self-signed first of two", fresh(root, inter), []Role{RoleLeaf, RoleIntermediate}},
		{"two intermediates", fresh(leaf, inter, inter, root), []Role{RoleLeaf, RoleIntermediate, RoleIntermediate, RoleRoot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range tt.chain {
				c.Index = 99
			}
			AssignRoles(tt.chain)
			for i, c := range tt.chain {
				if c.Role != tt.want[i] || c.Index != i {
					t.Errorf("cert %d: role %s index %d, want %s %d", i, c.Role, c.Index, tt.want[i], i)
				}
			}
		})
	}
}

// TestAnchorsFilter: a filtered view hides what keep rejects from every
// lookup a path makes (by name, by key identifier, the certificate
// itself) and from Len, also inside a union and under a second filter.
func TestAnchorsFilter(t *testing.T) {
	leaf, inter, root, _ := testChain(t, "filter")
	all := NewAnchors()
	all.AddCert(root, SourceCAFile, "ca.pem")
	all.AddCert(inter, SourceCAFile, "ca.pem")
	roots := all.Filter(func(h *HeldAnchor) bool { return h.Cert().SelfSigned })
	none := roots.Filter(func(*HeldAnchor) bool { return false })
	for _, tc := range []struct {
		name                string
		set                 *Anchors
		n                   int
		holdsRoot, holdsInt bool
	}{
		{"all", all, 2, true, true},
		{"roots", roots, 1, true, false},
		{"roots in a union", Union(NewAnchors(), roots), 1, true, false},
		{"a filter of the roots", none, 0, false, false},
	} {
		if got := tc.set.Len(); got != tc.n {
			t.Errorf("%s: Len %d, want %d", tc.name, got, tc.n)
		}
		if got := tc.set.holding(root) != nil; got != tc.holdsRoot {
			t.Errorf("%s: holding(root) %v", tc.name, got)
		}
		if got := tc.set.holdsDER(root); got != tc.holdsRoot {
			t.Errorf("%s: holdsDER(root) %v", tc.name, got)
		}
		if got := tc.set.holding(inter) != nil; got != tc.holdsInt {
			t.Errorf("%s: holding(intermediate) %v", tc.name, got)
		}
		if got := tc.set.holdsDER(inter); got != tc.holdsInt {
			t.Errorf("%s: holdsDER(intermediate) %v", tc.name, got)
		}
		if got := len(tc.set.withSubject(inter.Parsed.RawSubject)) > 0; got != tc.holdsInt {
			t.Errorf("%s: withSubject(intermediate) %v", tc.name, got)
		}
		if got := len(tc.set.withSKI(inter.SKI)) > 0; got != tc.holdsInt {
			t.Errorf("%s: withSKI(intermediate) %v", tc.name, got)
		}
	}
	// A device that takes a held intermediate as its anchor stops at it
	// when it is held, at the root when the filter hides it.
	rules := PathRules{Order: OrderAny, StopsAtFirstHeldIssuer: true, IntermediateAnchor: true, Match: MatchDNKey}
	served := []*Cert{leaf, inter}
	AssignRoles(served)
	if p := BuildPath(served, all, rules, time.Now()); !p.OK() || p.Anchor.SHA256 != inter.SHA256 {
		t.Errorf("all: path %v to %v, want the intermediate", p.Served, p.Anchor)
	}
	if p := BuildPath(served, roots, rules, time.Now()); !p.OK() || p.Anchor.SHA256 != root.SHA256 {
		t.Errorf("roots: path %v to %v, want the root", p.Served, p.Anchor)
	}
}
