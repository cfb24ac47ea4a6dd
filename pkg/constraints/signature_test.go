package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestSignature(t *testing.T) {
	k := pki()
	sha256Only := testProfile()
	sha256Only.Certificates.SignatureHashes = []string{"sha256"}
	none := testProfile()
	none.Certificates.SignatureHashes = nil
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"SHA-256 chain passes; the anchor's self-signature is not judged",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), sha256Only,
			[]want{
				{Severity: Pass, CertIndex: 0, Actual: "sha256"},
				{Severity: Pass, CertIndex: 1},
				{Severity: Pass, CertIndex: 2, Contains: []string{"trust anchor", "do not verify its self-signature"}},
			}},
		{"a SHA-1 signed leaf fails on a SHA-256-only device",
			observe(chainOf(k.sha1Leaf, k.inter), k.root, chain.SourceStore), sha256Only,
			[]want{
				{Severity: Fail, CertIndex: 0, Limit: "sha256", Actual: "sha1", Contains: []string{"certificate #0 (leaf, ", "SHA1-RSA", "SPWF04Sx verifies only sha256"}},
				{Severity: Pass, CertIndex: 1},
				{Severity: Pass, CertIndex: 2},
			}},
		{"a served root that is the anchor is not judged either",
			observe(chainOf(k.leaf, k.inter, k.root), k.root, chain.SourceServed), sha256Only,
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2, Contains: []string{"trust anchor"}}}},
		{"no hash list skips", observe(chainOf(k.leaf), nil, ""), none,
			[]want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "signature").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
