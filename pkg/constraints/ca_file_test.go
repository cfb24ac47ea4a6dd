package constraints

import (
	"encoding/pem"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

// cc3200 is a CC3200/WiPy-like CA slot: DER only, found by path, no SKI.
func cc3200(name string) *Profile {
	p := testProfile()
	p.ID, p.Name = "cc3200", name
	p.Trust.CAFormats, p.Trust.CARequiresSKI, p.Trust.CASKIAutoFormats = []string{"der"}, false, nil
	p.Trust.CAPath = "/flash/cert/ca.pem"
	return p
}

func TestCAFile(t *testing.T) {
	k := pki()
	withCA := func(obs *chain.Observation, f *chain.CAFile) *chain.Observation {
		obs.CAFiles = []*chain.CAFile{f}
		return obs
	}
	rootSKI := chain.NewCert(k.root.DER).SKIHex()
	rootPEM := len(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.root.DER}))
	small := testProfile()
	small.Trust.CAMaxBytes = len(k.root.DER)
	store := testProfile()
	store.Trust.Model = "builtin-store"
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"seed 004: a CA without SKI fails on a device that finds its CA by SKI",
			withCA(observe(chainOf(k.noSKILeaf), k.noSKIRoot, chain.SourceCAFile), caFileOf("pem", k.noSKIRoot)), testProfile(),
			[]want{
				{Severity: Pass, CertIndex: 1, Actual: "pem"},
				{Severity: Fail, CertIndex: 1, Actual: "none", Contains: []string{"has no Subject Key Identifier: SPWF04Sx finds its CA by SKI"}, Fix: "subjectKeyIdentifier"},
			}},
		{"seed 004: a PEM CA with SKI warns that the SKI must be given by hand",
			withCA(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), caFileOf("pem", k.root)), testProfile(),
			[]want{
				{Severity: Pass, CertIndex: 2},
				{Severity: Pass, CertIndex: 2, Actual: rootSKI},
				{Severity: Warn, CertIndex: 2, Limit: "der", Actual: "pem", Contains: []string{"\"No SubjectKeyId\"", "given by hand"},
					Fix: "`openssl x509 -in ca.pem -outform der -out ca.der`), or keep PEM and give the device the 20-byte SKI " + rootSKI + " in binary as " + rootSKI + ".ca"},
			}},
		{"a DER CA with SKI passes",
			withCA(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), caFileOf("der", k.root)), testProfile(),
			[]want{{Severity: Pass, CertIndex: 2}, {Severity: Pass, CertIndex: 2}}},
		{"CC3200: a PEM CA fails and the conversion is given",
			withCA(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), caFileOf("pem", k.root)), cc3200("CC3200"),
			[]want{{Severity: Fail, CertIndex: 2, Limit: "der", Actual: "pem",
				Contains: []string{"the CA file ca.pem is PEM; CC3200 takes the CA in DER; convert with `openssl x509 -in ca.pem -outform der -out ca.der`"},
				Fix:      "as /flash/cert/ca.pem"}}},
		{"WiPy: a DER CA passes",
			withCA(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), caFileOf("der", k.root)), cc3200("WiPy"),
			[]want{{Severity: Pass, CertIndex: 2, Contains: []string{"is DER; WiPy takes the CA in DER"}}}},
		{"a PEM CA over the size limit fails and proposes the DER form",
			withCA(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), caFileOf("pem", k.root)), small,
			[]want{
				{Severity: Pass, CertIndex: 2},
				{Severity: Fail, CertIndex: 2, Limit: len(k.root.DER), Actual: rootPEM, Fix: "load the DER form"},
				{Severity: Pass, CertIndex: 2},
				{Severity: Warn, CertIndex: 2},
			}},
		{"without --ca the anchor root is judged in the format the device reads the SKI from",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{
				{Severity: Pass, CertIndex: 2, Actual: "der", Contains: []string{"load the root CN=Test Root CA", "in DER form"}},
				{Severity: Pass, CertIndex: 2, Actual: rootSKI},
			}},
		{"without --ca nor anchor skips", observe(chainOf(k.leaf), nil, ""), testProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no CA file given"}}}},
		{"a built-in store has no CA file", observe(chainOf(k.leaf), nil, ""), store,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"loads no CA file"}}}},
		{"an empty CA file fails",
			withCA(observe(chainOf(k.leaf), nil, ""), &chain.CAFile{Path: "empty.pem", Format: "pem"}), testProfile(),
			[]want{{Severity: Fail, CertIndex: -1, Contains: []string{"holds no certificate"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "ca-file").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

// pemSize counts what pem.EncodeToMemory writes for a certificate.
func TestPEMSize(t *testing.T) {
	for n := 0; n < 5000; n++ {
		want := len(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: make([]byte, n)}))
		if got := pemSize(n); got != want {
			t.Fatalf("pemSize(%d) = %d, pem.EncodeToMemory writes %d", n, got, want)
		}
	}
}
