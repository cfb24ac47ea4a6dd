package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestChainSize(t *testing.T) {
	k := pki()
	total := len(k.leaf.DER) + len(k.inter.DER)
	withLimit := func(n int) *Profile { p := testProfile(); p.Certificates.MaxChainBytes = n; return p }
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"served bytes within the limit pass; the store root is not counted",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), withLimit(total),
			[]want{{Severity: Pass, CertIndex: -1, Limit: total, Actual: total, Contains: []string{Thousands(total) + " bytes", "2 certificates"}}}},
		{"one byte over fails and names the largest certificate",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), withLimit(total - 1),
			[]want{{Severity: Fail, CertIndex: -1, Limit: total - 1, Actual: total, Contains: []string{"the largest is certificate #"}}}},
		{"a chain past certlint's 64-certificate cap is judged on every certificate the server sent",
			capped(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), 301, 341903, 2000), withLimit(total),
			[]want{{Severity: Fail, CertIndex: -1, Actual: 341903, Contains: []string{"341,903 bytes of certificates (301 certificates)", "the largest is certificate #7 at 2,000 bytes"}}}},
		{"no limit skips", observe(chainOf(k.leaf), nil, ""), withLimit(0),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no known limit"}}}},
		{"empty chain skips", &chain.Observation{}, withLimit(100),
			[]want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "chain-size").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

// capped records that the server sent n certificates of der bytes in all,
// more than the observation keeps, the largest (#7) of largest bytes.
func capped(obs *chain.Observation, n, der, largest int) *chain.Observation {
	obs.Certificate = &chain.CertificateMessage{Bytes: 3 + 3*n + der, Certs: n, DERBytes: der, Largest: largest, LargestIndex: 7}
	return obs
}
