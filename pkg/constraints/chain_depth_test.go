package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestChainDepth(t *testing.T) {
	k := pki()
	withLimit := func(n int) *Profile { p := testProfile(); p.Certificates.MaxChainDepth = n; return p }
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"leaf, intermediate and anchor fit a depth of 3",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), withLimit(3),
			[]want{{Severity: Pass, CertIndex: -1, Limit: 3, Actual: 3, Contains: []string{"3 certificates deep including the anchor"}}}},
		{"the anchor counts: depth 3 fails a limit of 2",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), withLimit(2),
			[]want{{Severity: Fail, CertIndex: -1, Limit: 2, Actual: 3, Contains: []string{"SPWF04Sx verifies at most 2"}}}},
		{"a served root is counted once",
			observe(chainOf(k.leaf, k.inter, k.root), k.root, chain.SourceServed), withLimit(3),
			[]want{{Severity: Pass, CertIndex: -1, Actual: 3}}},
		{"without an anchor the depth is a lower bound",
			observe(chainOf(k.leaf, k.inter), nil, ""), withLimit(5),
			[]want{{Severity: Pass, CertIndex: -1, Actual: 2, Contains: []string{"at least 2", "no anchor root found"}}}},
		{"no limit skips", observe(chainOf(k.leaf), nil, ""), withLimit(0),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no known limit on the chain depth"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "chain-depth").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
