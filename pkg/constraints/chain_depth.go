package constraints

import (
	"fmt"

	"github.com/certlint/certlint/pkg/chain"
)

// chainDepth checks the length of the path the device verifies, from the
// leaf up to and including the anchor root it holds.
type chainDepth struct{}

func init() { Register(chainDepth{}) }

func (chainDepth) ID() string { return "chain-depth" }

func (chainDepth) Description() string {
	return "the certification path, anchor included, is no longer than the device can verify"
}

func (chainDepth) Fields() []string { return []string{"certificates.max_chain_depth"} }

func (chainDepth) Evaluate(obs *chain.Observation, p *Profile) []Finding {
	limit := p.Certificates.MaxChainDepth
	if limit <= 0 {
		return skip(p.Name + " has no known limit on the chain depth")
	}
	served := obs.Served()
	if len(served) == 0 {
		return skip("the chain is empty")
	}
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
