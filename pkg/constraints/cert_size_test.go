package constraints

import (
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestCertSize(t *testing.T) {
	k := pki()
	big := len(k.bigLeaf.DER)
	if big <= 2560 || len(k.inter4096.DER) > 2560 {
		t.Fatalf("fixture: big leaf %d bytes, intermediate %d bytes; want > and <= 2,560", big, len(k.inter4096.DER))
	}
	limitless := testProfile()
	limitless.Certificates.MaxCertBytes = 0
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"seed 000: the grown leaf fails, the intermediate passes, the root is not measured",
			observe(chainOf(k.bigLeaf, k.inter4096), k.root, chain.SourceStore), testProfile(),
			[]want{
				{Severity: Fail, CertIndex: 0, Limit: 2560, Actual: big,
					Contains: []string{"certificate #0 (leaf, ", "CN=*.table.example.net", "is " + Thousands(big) + " bytes; SPWF04Sx accepts at most 2,560 bytes per certificate"}},
				{Severity: Pass, CertIndex: 1, Limit: 2560, Actual: len(k.inter4096.DER), Contains: []string{"certificate #1 (intermediate"}},
			}},
		{"small chain passes",
			observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1}}},
		{"past certlint's chain cap the largest certificate stands for the rest",
			capped(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), 301, 341903, 2000), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1},
				{Severity: Pass, CertIndex: -1, Actual: 2000, Contains: []string{"the 299 certificates past certlint's 2-certificate cap", "certificate #7 at 2,000 bytes"}}}},
		{"a certificate past the cap over the limit fails, by its index",
			capped(observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore), 301, 341903, 3000), testProfile(),
			[]want{{Severity: Pass, CertIndex: 0}, {Severity: Pass, CertIndex: 1},
				{Severity: Fail, CertIndex: 7, Limit: 2560, Actual: 3000, Fix: "at most 2,560 bytes"}}},
		{"no known limit skips with the reason",
			observe(chainOf(k.bigLeaf), nil, ""), limitless,
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"SPWF04Sx has no known per-certificate size limit"}}}},
		{"empty chain skips",
			&chain.Observation{}, testProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no certificates"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "cert-size").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

func TestCertSizeFailHasFix(t *testing.T) {
	k := pki()
	got := checkByID(t, "cert-size").Evaluate(observe(chainOf(k.bigLeaf), nil, ""), testProfile())
	if got[0].Severity != Fail || got[0].Fix == "" {
		t.Fatalf("want a failure with a fix, got %+v", got[0])
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 3813: "3,813", 1234567: "1,234,567", -2560: "-2,560"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
