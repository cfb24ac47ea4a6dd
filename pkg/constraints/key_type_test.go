package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestKeyType(t *testing.T) {
	k := pki()
	rsaOnly := testProfile()
	rsaOnly.Certificates.KeyTypes = []string{"rsa"}
	p256Only := testProfile()
	p256Only.Certificates.ECCurves = []string{"secp256r1"}
	noTypes := testProfile()
	noTypes.Certificates.KeyTypes = nil
	// anyCurve: a source says the device verifies any curve it meets.
	anyCurve := testProfile()
	anyCurve.Sources["certificates.ec_curves"] = []SourceRef{{Ref: "the stack verifies every named curve", Confidence: "vendor-source"}}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"RSA chain with its anchor passes",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Actual: "rsa"}, {Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2, Contains: []string{"(root, "}}}},
		{"ECDSA chain fails on a device without EC, every certificate named",
			observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceCAFile), rsaOnly,
			[]want{
				{Severity: Fail, CertIndex: 0, Limit: "rsa", Actual: "ecdsa", Contains: []string{"certificate #0 (leaf, ", "an ECDSA P-256 key; SPWF04Sx supports only rsa keys"}},
				{Severity: Fail, CertIndex: 1, Actual: "ecdsa"},
				{Severity: Fail, CertIndex: 2, Actual: "ecdsa", Contains: []string{"certificate #2 (root, "}},
			}},
		{"a curve outside ec_curves fails, P-256 passes",
			observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceCAFile), p256Only,
			[]want{
				{Severity: Pass, CertIndex: 0},
				{Severity: Fail, CertIndex: 1, Limit: "secp256r1", Actual: "P-384", Contains: []string{"curve P-384"}},
				{Severity: Fail, CertIndex: 2, Actual: "P-384"},
			}},
		{"curves unknown: P-256 passes, P-384 warns that it is unknown",
			observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceCAFile), testProfile(),
			[]want{
				{Severity: Pass, CertIndex: 0},
				{Severity: Warn, CertIndex: 1, Actual: "P-384", Contains: []string{"curve P-384", "is unknown", "support only P-256"}, Fix: "P-256 or RSA"},
				{Severity: Warn, CertIndex: 2, Actual: "P-384"},
			}},
		{"no curve list, but a source for verifying any curve: P-384 passes",
			observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceCAFile), anyCurve,
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2}}},
		{"unparseable certificate warns", &chain.Observation{Chain: []*chain.Cert{unparsed()}}, testProfile(),
			[]want{{Severity: Warn, CertIndex: 0, Contains: []string{"could not be parsed"}}}},
		{"no key types skips", observe(chainOf(k.leaf), nil, ""), noTypes,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no supported key types"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "key-type").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

// unparsed is a served leaf whose bytes are not a certificate.
func unparsed() *chain.Cert {
	c := chain.NewCert([]byte("not a certificate"))
	c.Source, c.Role = chain.SourceServed, chain.RoleLeaf
	return c
}
