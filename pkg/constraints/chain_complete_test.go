package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestChainComplete(t *testing.T) {
	k := pki()
	noVerify := testProfile()
	noVerify.Trust.Model = "none"
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"leaf and intermediate issued by the store anchor pass",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{{Severity: Pass, CertIndex: 1, Contains: []string{"issued by the anchor"}}}},
		{"a served root ends the chain",
			observe(chainOf(k.leaf, k.inter, k.root), k.root, chain.SourceServed), testProfile(),
			[]want{{Severity: Pass, CertIndex: 2, Contains: []string{"up to the root the server sends"}}}},
		{"seed 001: the chain ends at the intermediate the device holds",
			observe(chainOf(k.leafUnder4096, k.inter4096), k.inter4096, chain.SourceCAFile), testProfile(),
			[]want{{Severity: Pass, CertIndex: 1, Contains: []string{"reaches CN=Test TLS CA 4", "which the device holds", "trust-anchor says"}}}},
		{"a missing intermediate fails naming the issuer and its AKI",
			observe(chainOf(k.leaf), nil, ""), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Contains: []string{"does not send the issuer of certificate #0", "CN=Test TLS CA", "(AKI ", "not a root certlint knows"}, Fix: "if CN=Test TLS CA, O=certlint test is an intermediate, the service must send it"}}},
		{"a wrong order warns naming positions",
			observe(chainOf(k.leaf, k.root, k.inter), k.root, chain.SourceServed), testProfile(),
			[]want{
				{Severity: Warn, CertIndex: 0, Limit: 1, Actual: 2, Contains: []string{"out of order", "certificate #0", "certificate #2", "unknown"}},
				{Severity: Pass, CertIndex: 1, Contains: []string{"up to the root the server sends"}},
			}},
		{"a device that does not verify warns: the connection is not authenticated", observe(chainOf(k.leaf), nil, ""), noVerify,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"impersonate"}}}},
		{"no certificates skips", &chain.Observation{}, testProfile(),
			[]want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "chain-complete").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
