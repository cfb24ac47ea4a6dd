package constraints

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

// A Lint skips with its first unmet requirement and executes only when
// every requirement is met.
func TestLintAppliesBeforeItExecutes(t *testing.T) {
	ran := false
	l := &Lint{
		Info: Info{ID: "demo", Description: "demo"},
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

// SortFindings groups by severity (fail, warn, skip, pass), then orders
// each group by check ID, keeping the order a check gave its findings in.
func TestSortFindings(t *testing.T) {
	fs := []Finding{
		{Check: "b", Severity: Pass, CertIndex: 0},
		{Check: "a", Severity: Warn, CertIndex: 0},
		{Check: "c", Severity: Fail, CertIndex: 1},
		{Check: "a", Severity: Pass, CertIndex: 1},
		{Check: "c", Severity: Fail, CertIndex: 0},
		{Check: "b", Severity: Skip, CertIndex: -1},
		{Check: "a", Severity: Fail, CertIndex: 2},
		{Check: "a", Severity: Pass, CertIndex: 0},
	}
	SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %s %d", f.Severity, f.Check, f.CertIndex))
	}
	want := []string{"fail a 2", "fail c 1", "fail c 0", "warn a 0", "skip b -1", "pass a 1", "pass a 0", "pass b 0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// A prepared profile (Prepare: the hello key and each check's sources
// worked out once) judges exactly as it does unprepared, for every
// built-in profile, with and without a device handshake.
func TestPrepareChangesNoFinding(t *testing.T) {
	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := reg.Select(nil)
	if err != nil {
		t.Fatal(err)
	}
	k := pki()
	for _, p := range append(profiles, testProfile()) {
		offline := observe(chainOf(k.leafUnder4096, k.inter4096), k.root, chain.SourceStore)
		offline.ServerName = "hub.example.net"
		live := withHello(observe(chainOf(k.leafUnder4096, k.inter4096), k.root, chain.SourceStore), p,
			chain.Handshake{Version: "TLS1.2", CipherSuite: "TLS_RSA_WITH_AES_128_CBC_SHA"}, k.leafUnder4096, k.inter4096)
		prepared := *p
		prepared.Prepare()
		if prepared.HelloKey() != p.HelloSpec().Key() {
			t.Errorf("%s: HelloKey %q, HelloSpec().Key() %q", p.Selector(), prepared.HelloKey(), p.HelloSpec().Key())
		}
		for _, obs := range []*chain.Observation{offline, live} {
			if want, got := Evaluate(obs, p), Evaluate(obs, &prepared); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: prepared\n%+v\nunprepared\n%+v", p.Selector(), got, want)
			}
		}
	}
}
