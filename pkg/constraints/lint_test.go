package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

// A Lint skips with its first unmet requirement and executes only when
// every requirement is met.
func TestLintAppliesBeforeItExecutes(t *testing.T) {
	ran := false
	l := &Lint{
		Info: Info{ID: "demo", Description: "demo", Source: SourceChain},
		Requires: []Requirement{
			limitKnown("demo limit", func(p *Profile) int { return p.Certificates.MaxCertBytes }),
			certsServed("nothing served"),
		},
		Execute: func(*chain.Observation, *Profile) []Finding {
			ran = true
			return []Finding{{Severity: Pass, CertIndex: -1, Message: "measured"}}
		},
	}
	p := &Profile{Name: "Demo"}
	obs := &chain.Observation{}
	if got := l.Evaluate(obs, p); len(got) != 1 || got[0].Severity != Skip || got[0].Message != "Demo has no known demo limit" || ran {
		t.Errorf("no limit: %+v (executed %v)", got, ran)
	}
	p.Certificates.MaxCertBytes = 2048
	if got := l.Evaluate(obs, p); len(got) != 1 || got[0].Severity != Skip || got[0].Message != "nothing served" || ran {
		t.Errorf("no chain: %+v (executed %v)", got, ran)
	}
	obs.Chain = []*chain.Cert{{Source: chain.SourceServed}}
	if got := l.Evaluate(obs, p); len(got) != 1 || got[0].Message != "measured" || !ran {
		t.Errorf("applies: %+v (executed %v)", got, ran)
	}
}
