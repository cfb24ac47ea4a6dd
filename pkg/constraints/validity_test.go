package constraints

import (
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

func TestValidity(t *testing.T) {
	k := pki()
	noTime := testProfile()
	noTime.Name, noTime.Trust.VerifiesTime = "WiPy", boolp(false)
	noVerify := testProfile()
	noVerify.Name, noVerify.Trust.Model = "MicroPython", "none"
	until := func(store string) (*chain.Observation, *Profile) {
		obs := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		obs.Until = time.Now().Add(3 * 365 * 24 * time.Hour)
		p := testProfile()
		p.Trust.Store = store
		return obs, p
	}
	untilObs, untilProfile := until("")
	storeObs, storeProfile := until("nina-roots")
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"--until: served certificates that end first are noted, the held anchor warns", untilObs, untilProfile,
			[]want{
				{Severity: Pass, CertIndex: 0, Contains: []string{"before the end of service (--until ", "the service renews it"}},
				{Severity: Pass, CertIndex: 1, Contains: []string{"the service renews it"}},
				{Severity: Warn, CertIndex: 2, Contains: []string{"this anchor expires on", "SPWF04Sx must hold that one"}, Fix: "field update"},
			}},
		{"--until: a store device leaves the anchor to trust-anchor", storeObs, storeProfile,
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1},
				{Severity: Pass, CertIndex: 2, Contains: []string{"trust-anchor judges the copy in SPWF04Sx's store"}}}},
		{"a valid chain passes and says the clock must be set",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{
				{Severity: Pass, CertIndex: 0, Contains: []string{"is valid from", "SPWF04Sx checks validity dates, so its clock must be set"}},
				{Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2},
			}},
		{"an expired leaf fails with its date",
			observe(chainOf(k.expiredLeaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{
				{Severity: Fail, CertIndex: 0, Limit: "2019-01-01", Contains: []string{"certificate #0 (leaf, ", "expired on 2019-01-01"}, Fix: "renew"},
				{Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2},
			}},
		{"a leaf not yet valid fails",
			observe(chainOf(k.futureLeaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Contains: []string{"is not valid until"}, Fix: "device clock"}, {Severity: Pass, CertIndex: 1}, {Severity: Pass, CertIndex: 2}}},
		{"a device that verifies nothing warns once, whatever the dates",
			observe(chainOf(k.expiredLeaf), nil, ""), noVerify,
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"MicroPython does not verify", "validity dates are not checked"}}}},
		{"a device that checks no time passes an expired leaf and says so",
			observe(chainOf(k.expiredLeaf), nil, ""), noTime,
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"expired on 2019-01-01", "WiPy does not check validity dates, so it connects anyway"}}}},
		{"the anchor is judged at the device clock too",
			atClock(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceCAFile), time.Now().Add(20*365*24*time.Hour)), testProfile(),
			[]want{{Severity: Fail, CertIndex: 0}, {Severity: Fail, CertIndex: 1}, {Severity: Fail, CertIndex: 2, Contains: []string{"(root, "}, Fix: "load a current root"}}},
		{"no clock skips", atClock(observe(chainOf(k.leaf), nil, ""), time.Time{}), testProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"--at"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "validity").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

func atClock(obs *chain.Observation, at time.Time) *chain.Observation {
	obs.CheckedAt = at
	return obs
}
