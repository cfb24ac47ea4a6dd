package chain

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

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

func TestFindAnchor(t *testing.T) {
	leaf, inter, root, pki := testChain(t, "anchor")
	otherLeaf, otherInter, _, otherPKI := testChain(t, "other")
	bing := loadTestChain(t, filepath.Join("testdata", "bing-2019.pem"))

	tests := []struct {
		name       string
		served     []*Cert
		ca         *CAFile
		wantSource Source
		wantSHA    string // SHA-256 of the expected anchor
		wantSame   bool   // the anchor is the served pointer itself
		wantRoot   bool   // IsRootCert(anchor)
		wantErr    error
	}{
		{"ca-file root", []*Cert{leaf, inter}, caFile(t, pki[2].PEM()), SourceCAFile, root.SHA256, false, true, nil},
		{"ca-file root in a bundle", []*Cert{leaf, inter}, caFile(t, append(otherPKI[2].PEM(), pki[2].PEM()...)), SourceCAFile, root.SHA256, false, true, nil},
		{"ca-file intermediate also served", []*Cert{leaf, inter}, caFile(t, pki[1].PEM()), SourceCAFile, inter.SHA256, false, false, nil},
		{"ca-file equals served root", []*Cert{leaf, inter, root}, caFile(t, pki[2].PEM()), SourceCAFile, root.SHA256, false, true, nil},
		{"served self-signed", []*Cert{leaf, inter, root}, nil, SourceServed, root.SHA256, true, true, nil},
		{"unrelated ca-file falls back to served root", []*Cert{leaf, inter, root}, caFile(t, otherPKI[2].PEM()), SourceServed, root.SHA256, true, true, nil},
		{"store root for real Baltimore chain", bing, nil, SourceStore, "16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb", false, true, nil},
		{"none found", []*Cert{otherLeaf, otherInter}, nil, "", "", false, false, ErrNoAnchor},
		{"unrelated ca-file, none found", []*Cert{otherLeaf, otherInter}, caFile(t, pki[2].PEM()), "", "", false, false, ErrNoAnchor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			anchor, err := FindAnchor(tt.served, tt.ca)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got anchor %v, error %v; want %v", anchor, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if anchor.Source != tt.wantSource || anchor.SHA256 != tt.wantSHA {
				t.Errorf("anchor %s from %s; want %s from %s", anchor.Subject, anchor.Source, tt.wantSHA, tt.wantSource)
			}
			same := false
			for _, s := range tt.served {
				same = same || s == anchor
			}
			if same != tt.wantSame {
				t.Errorf("anchor is a served pointer: %v, want %v", same, tt.wantSame)
			}
			if IsRootCert(anchor) != tt.wantRoot {
				t.Errorf("IsRootCert = %v, want %v", !tt.wantRoot, tt.wantRoot)
			}
			if tt.ca != nil {
				for _, c := range tt.ca.Certs {
					if c == anchor {
						t.Error("the CA-file anchor must be a copy, not the CAFile's own certificate")
					}
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
	if _, err := FindAnchor(nil, nil); err == nil {
		t.Error("FindAnchor with no served certificates: want an error")
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
