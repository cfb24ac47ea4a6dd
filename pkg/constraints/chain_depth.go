package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "chain-depth", Fields: []string{"certificates.max_chain_depth"},
			Description: "the certification path, anchor included, is no longer than the device can verify"},
		Requires: []Requirement{
			limitKnown("limit on the chain depth", func(p *Profile) int { return p.Certificates.MaxChainDepth }),
			certsServed("the chain is empty"),
		},
		Execute: chainDepth,
	})
}

// chainDepth checks the length of the path the device verifies, from the
// leaf up to and including the anchor root it holds.
func chainDepth(obs *chain.Observation, p *Profile) []Finding {
	limit := p.Certificates.MaxChainDepth
	served := obs.Served()
	// Every certificate the device receives counts, those off its path
	// too: the stack parses them all before it builds the path.
	onPath := DevicePath(obs, p).Effective()
	depth := len(served)
	if onPath.OK() && onPath.AnchorServed < 0 {
		depth++ // the anchor the device holds
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: depth,
		Message: fmt.Sprintf("the path is %d %s deep including the anchor; %s verifies at most %d",
			depth, plural(depth, "certificate", "certificates"), p.Name, limit)}
	if !onPath.OK() {
		f.Message = fmt.Sprintf("the path is at least %d %s deep (no anchor root found, it may be one longer); %s verifies at most %d",
			depth, plural(depth, "certificate", "certificates"), p.Name, limit)
	}
	if depth > limit {
		f.Severity = Fail
		f.Fix = fmt.Sprintf("the service needs a path of at most %d certificates (a leaf issued closer to the root)", limit)
	}
	return []Finding{f}
}
