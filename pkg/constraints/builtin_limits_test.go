package constraints

import (
	"strings"
	"sync"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// limitCase is one declared limit of a built-in profile with a chain the
// device accepts and one it refuses, judged by the check that reads the
// limit. A nil fail means no such chain can be generated; why says so.
type limitCase struct {
	field      string
	check      string
	pass, fail *chain.Observation
	why        string
}

var (
	limitPKIOnce sync.Once
	limitPKI     struct {
		rsa1024Leaf, rsa4608Inter, rsa4608Leaf, p224Leaf, ed25519Leaf *testpki.Cert
	}
)

// limitCerts issues the certificates only these tests need (an RSA-4608
// key is slow to make, so it is made once and only when a profile needs it).
func limitCerts() {
	limitPKIOnce.Do(func() {
		k := pki()
		limitPKI.rsa1024Leaf = k.inter.Leaf(testpki.Spec{CN: "weak.example.net", Key: "rsa1024", DNSNames: []string{"weak.example.net"}})
		limitPKI.rsa4608Inter = k.root.Intermediate(testpki.Spec{CN: "Test TLS CA 4608", Key: "rsa4608"})
		limitPKI.rsa4608Leaf = limitPKI.rsa4608Inter.Leaf(testpki.Spec{CN: "big.example.net", DNSNames: []string{"big.example.net"}})
		limitPKI.p224Leaf = k.ecInter.Leaf(testpki.Spec{CN: "p224.example.net", Key: "ecdsa224", DNSNames: []string{"p224.example.net"}})
		limitPKI.ed25519Leaf = k.inter.Leaf(testpki.Spec{CN: "ed.example.net", Key: "ed25519", DNSNames: []string{"ed.example.net"}})
	})
}

// limitCases derives, from what the profile declares, a chain on each side
// of every certificate and trust limit.
func limitCases(t *testing.T, p *Profile) []limitCase {
	k := pki()
	rsaChain := func() *chain.Observation { return observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore) }
	var cases []limitCase
	c := p.Certificates
	if c.RSAMaxBits > 0 {
		lc := limitCase{field: "certificates.rsa_max_bits", check: "key-size", pass: rsaChain()}
		switch {
		case c.RSAMaxBits < 4096:
			lc.fail = observe(chainOf(k.leafUnder4096, k.inter4096), k.root, chain.SourceStore)
		case c.RSAMaxBits < 4608:
			limitCerts()
			lc.pass = observe(chainOf(k.leafUnder4096, k.inter4096), k.root, chain.SourceStore)
			lc.fail = observe(chainOf(limitPKI.rsa4608Leaf, limitPKI.rsa4608Inter), k.root, chain.SourceStore)
		default:
			lc.why = "no larger test key is generated"
		}
		cases = append(cases, lc)
	}
	if c.RSAMinBits > 1024 {
		limitCerts()
		cases = append(cases, limitCase{field: "certificates.rsa_min_bits", check: "key-size", pass: rsaChain(),
			fail: observe(chainOf(limitPKI.rsa1024Leaf, k.inter), k.root, chain.SourceStore)})
	} else if c.RSAMinBits > 0 {
		cases = append(cases, limitCase{field: "certificates.rsa_min_bits", check: "key-size", pass: rsaChain(),
			why: "Go cannot make an RSA key under 1,024 bits"})
	}
	if len(c.KeyTypes) > 0 {
		lc := limitCase{field: "certificates.key_types", check: "key-type", pass: rsaChain()}
		if containsFold(c.KeyTypes, "ecdsa") {
			limitCerts()
			lc.fail = observe(chainOf(limitPKI.ed25519Leaf, k.inter), k.root, chain.SourceStore)
		} else {
			lc.fail = observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceStore)
		}
		cases = append(cases, lc)
	}
	if len(c.ECCurves) > 0 {
		limitCerts()
		cases = append(cases, limitCase{field: "certificates.ec_curves", check: "key-type",
			pass: observe(chainOf(k.ecLeaf, k.ecInter), k.ecRoot, chain.SourceStore),
			fail: observe(chainOf(limitPKI.p224Leaf, k.ecInter), k.ecRoot, chain.SourceStore)})
	}
	if len(c.SignatureHashes) > 0 {
		lc := limitCase{field: "certificates.signature_hashes", check: "signature", pass: rsaChain()}
		if containsFold(c.SignatureHashes, "sha1") {
			lc.pass = observe(chainOf(k.sha1Leaf, k.inter), k.root, chain.SourceStore)
			lc.why = "every hash Go can sign with is accepted (it refuses MD5)"
		} else {
			lc.fail = observe(chainOf(k.sha1Leaf, k.inter), k.root, chain.SourceStore)
		}
		cases = append(cases, lc)
	}
	if v, known := Bool(p.Trust.VerifiesHostname); known && v && p.Trust.Model != "none" {
		wrong := rsaChain()
		wrong.ServerName = "other.example.org"
		cases = append(cases, limitCase{field: "trust.verifies_hostname", check: "hostname", pass: rsaChain(), fail: wrong})
	}
	if v, known := Bool(p.Trust.VerifiesTime); known && p.Trust.Model != "none" {
		lc := limitCase{field: "trust.verifies_time", check: "validity", pass: rsaChain()}
		expired := observe(chainOf(k.expiredLeaf, k.inter), k.root, chain.SourceStore)
		if v {
			lc.fail = expired
		} else {
			lc.pass, lc.why = expired, "the device checks no dates, so an expired chain passes"
		}
		cases = append(cases, lc)
	}
	r := p.Receive
	// one returns a served two-certificate chain whose Certificate message
	// (TLS 1.2 framing) is about n bytes, carried in the given records
	// (nil: one record holding all of it).
	one := func(n int, records ...int) *chain.Observation {
		obs := dialled(sizedChain(n/2-6, n/2-6))
		if records == nil {
			records = []int{obs.Certificate.Bytes + 4}
		}
		obs.Certificate.Records = records
		return obs
	}
	if r.MaxRecordBytes > 0 {
		lc := limitCase{field: "receive.max_record_bytes", check: "message-size", pass: one(r.MaxRecordBytes - 100)}
		if r.MaxRecordBytes < 16384 {
			lc.fail = one(r.MaxRecordBytes + 100)
		} else {
			lc.why = "16,384 bytes is the largest record TLS allows"
		}
		cases = append(cases, lc)
	}
	if r.MaxHandshakeMessageBytes > 0 {
		cases = append(cases, limitCase{field: "receive.max_handshake_message_bytes", check: "message-size",
			pass: one(r.MaxHandshakeMessageBytes - 100), fail: one(r.MaxHandshakeMessageBytes + 100)})
	}
	if v, known := Bool(r.ReassemblesHandshake); known {
		lc := limitCase{field: "receive.reassembles_handshake", check: "message-size", pass: one(3000)}
		split := one(3000, 1500, 1504)
		if v {
			lc.pass, lc.why = split, "the stack reassembles, so a split message passes"
		} else {
			lc.fail = split
		}
		cases = append(cases, lc)
	}
	if p.Trust.PathOrder == "strict" && p.Trust.Model != "none" {
		// Served leaf, root, intermediate: the intermediate that issued the
		// leaf is not next to it.
		outOfOrder := observe(chainOf(k.leaf, k.root, k.inter), k.root, chain.SourceServed)
		inOrder := observe(chainOf(k.leaf, k.inter, k.root), k.root, chain.SourceServed)
		cases = append(cases, limitCase{field: "trust.path_order", check: "chain-complete", pass: inOrder, fail: outOfOrder})
	}
	if p.Trust.Store != "" {
		// DigiCert Global Root G2 is in every built-in store; a private root
		// is in none.
		g2 := realCerts(t, "digicert-global-root-g2.pem")
		cases = append(cases, limitCase{field: "trust.store", check: "trust-anchor",
			pass: observe(g2, g2[0], chain.SourceServed),
			fail: observe(chainOf(k.leaf, k.inter), k.root, chain.SourceServed)})
	}
	if p.Trust.Model == "loaded-ca" {
		holdsInter := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		holdsInter.CAFiles = []*chain.CAFile{caFileOf("pem", k.inter)}
		holdsOther := observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
		holdsOther.CAFiles = []*chain.CAFile{caFileOf("pem", k.otherRoot)}
		lc := limitCase{field: "trust.accepts_intermediate_anchor", check: "trust-anchor", fail: holdsOther}
		if p.Trust.AcceptsIntermediateAnchor {
			lc.pass = holdsInter
		} else {
			lc.pass = observe(chainOf(k.leaf, k.inter), k.root, chain.SourceStore)
			lc.pass.CAFiles = []*chain.CAFile{caFileOf("pem", k.root)}
			if p.sourced("trust.accepts_intermediate_anchor") {
				lc.fail = holdsInter // without a source, an intermediate anchor only warns
			}
		}
		cases = append(cases, lc)
	}
	return cases
}

// TestBuiltinProfileLimits runs, for every built-in profile and variant, a
// chain inside and a chain outside each declared limit through the check
// that reads it: inside must not fail, outside must fail.
func TestBuiltinProfileLimits(t *testing.T) {
	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]Check{}
	for _, c := range Checks() {
		checks[c.ID()] = c
	}
	for _, sel := range allSelectors(t, reg) {
		p, err := reg.Get(sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, lc := range limitCases(t, p) {
			t.Run(sel+"/"+lc.field, func(t *testing.T) {
				check := checks[lc.check]
				if got := worst(check.Evaluate(lc.pass, p)); got == Fail {
					t.Errorf("%s: the chain inside the limit fails %s", sel, lc.check)
				}
				if lc.fail == nil {
					t.Logf("no chain outside the limit: %s", lc.why)
					return
				}
				if got := worst(check.Evaluate(lc.fail, p)); got != Fail {
					t.Errorf("%s: the chain outside the limit gives %s from %s, want fail", sel, got, lc.check)
				}
			})
		}
	}
}

// TestUnverifiedProfilesWarn checks that a device which verifies nothing
// is never reported as a plain pass by a trust check: each says so as a
// warning that cites the profile's source.
func TestUnverifiedProfilesWarn(t *testing.T) {
	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	k := pki()
	obs := observe(chainOf(k.expiredLeaf), nil, "")
	obs.ServerName = "other.example.org"
	for _, sel := range []string{"esp8266-micropython", "esp8266@2.4"} {
		p, err := reg.Get(sel)
		if err != nil {
			t.Fatal(err)
		}
		res := Evaluate(obs, p)
		for _, id := range []string{"trust-anchor", "chain-complete", "hostname", "validity"} {
			var found bool
			for _, f := range res.Findings {
				if f.Check != id {
					continue
				}
				found = true
				if f.Severity != Warn || !strings.Contains(f.Message, "does not verify") || len(f.Sources) == 0 {
					t.Errorf("%s %s: %s %q (sources %v), want a cited warning", sel, id, f.Severity, f.Message, f.Sources)
				}
			}
			if !found {
				t.Errorf("%s: no %s finding", sel, id)
			}
		}
	}
}

func worst(fs []Finding) Severity {
	s := Skip
	for _, f := range fs {
		if f.Severity.rank() > s.rank() {
			s = f.Severity
		}
	}
	return s
}
