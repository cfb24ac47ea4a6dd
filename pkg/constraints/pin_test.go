package constraints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/pin"
)

// bearSSLProfile pins the way the ESP8266 Arduino core's BearSSL
// WiFiClientSecure does: setFingerprint (SHA-1 of the leaf) and
// setKnownKey (the leaf's public key), neither checking anything else.
func bearSSLProfile() *Profile {
	p := testProfile()
	p.ID, p.Name = "bearssl-pins", "BearSSL client"
	p.Trust.AcceptsIntermediateAnchor = true
	bypass := []string{"trust-anchor", "ca-file", "chain-complete", "validity", "hostname"}
	p.Trust.Pins = []PinMethod{
		{Kind: "cert-sha1", Compares: "leaf", Call: "setFingerprint", Format: pin.FormatHexSpaced,
			Bypasses: bypass, LeafOnly: []string{"key-size"}, OnMismatch: "BearSSL prints insecure_end_chain: Received cert FP doesn't match", Cost: "20 bytes"},
		{Kind: "public-key", Compares: "leaf", Call: "setKnownKey", Format: pin.FormatPEMPublicKey,
			Bypasses: bypass, Cost: "the key in flash"},
	}
	return p
}

// renewals are the leaves of one server over time: issued 2026-01-10, its
// renewal with the same key, and a renewal with a new key.
type renewals struct {
	root, inter            *testpki.Cert
	old, sameKey, newKey   *testpki.Cert
	soon, otherServerLeaf  *testpki.Cert
	oldNotAfter, checkDate time.Time
}

func pinPKI() *renewals {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	k := pki()
	r := &renewals{root: k.root, inter: k.inter, oldNotAfter: day(2026, 7, 29), checkDate: day(2026, 5, 1).Add(12 * time.Hour)}
	leaf := func(notBefore, notAfter time.Time, slot string) *testpki.Cert {
		return k.inter.Leaf(testpki.Spec{CN: "pinned.example.net", DNSNames: []string{"pinned.example.net"}, NotBefore: notBefore, NotAfter: notAfter, KeySlot: slot})
	}
	r.old = leaf(day(2026, 1, 10), r.oldNotAfter, "")
	r.sameKey = leaf(day(2026, 4, 20), day(2026, 11, 6), "")
	r.newKey = leaf(day(2026, 4, 20), day(2026, 11, 6), "pinned.example.net rotated")
	r.soon = leaf(day(2026, 1, 10), day(2026, 5, 11), "")
	r.otherServerLeaf = k.leaf
	return r
}

func pinsOf(t *testing.T, values ...string) []pin.Pin {
	t.Helper()
	var out []pin.Pin
	for i, v := range values {
		p, err := pin.Parse(v, "--pin #"+string(rune('1'+i)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func withPins(obs *chain.Observation, at time.Time, warnDays int, pins []pin.Pin) *chain.Observation {
	obs.Pins, obs.PinWarnDays, obs.CheckedAt = pins, warnDays, at
	return obs
}

func TestPin(t *testing.T) {
	r := pinPKI()
	oldT, sameT, newT := pin.NewTarget(r.old.DER), pin.NewTarget(r.sameKey.DER), pin.NewTarget(r.newKey.DER)
	oldSHA1 := pin.Format(oldT.Value(pin.CertSHA1), pin.FormatHexSpaced)
	oldKey := pin.Format(oldT.Value(pin.SPKISHA256), pin.FormatHPKP)
	oldKeyPEM := pin.Format(oldT.Value(pin.PublicKey), pin.FormatPEMPublicKey)
	sameSHA1 := pin.Format(sameT.Value(pin.CertSHA1), pin.FormatHexSpaced)
	served := func(leaf *testpki.Cert) *chain.Observation {
		return observe(chainOf(leaf, r.inter), r.root, chain.SourceStore)
	}
	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"no pin given skips", served(r.old), bearSSLProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no pin given", "--pin-file"}}}},
		{"a device that does not pin skips", withPins(served(r.old), r.checkDate, 30, pinsOf(t, oldSHA1)), testProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"SPWF04Sx pins no certificate", "trust.pins"}}}},
		{"a matching leaf fingerprint passes and says when it breaks",
			withPins(served(r.old), r.checkDate, 30, pinsOf(t, oldSHA1)), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Actual: 88, Contains: []string{
				"matches certificate #0 (leaf, CN=pinned.example.net", "(setFingerprint)", "which is replaced by 2026-07-29 (88 days) at the latest",
				"last at most 200 days, so a leaf pin breaks at least every 200 days, every 100 days from 2027-03-15", "SC081v3"}}}},
		{"the same fingerprint in colon spelling matches too",
			withPins(served(r.old), r.checkDate, 30, pinsOf(t, strings.ReplaceAll(strings.ToLower(oldSHA1), " ", ":"))), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0}}},
		{"a stale leaf pin after a renewal fails with the value to pin now",
			withPins(served(r.sameKey), r.checkDate, 30, pinsOf(t, oldSHA1)), bearSSLProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Limit: oldSHA1, Actual: sameSHA1, Contains: []string{
				"pin " + oldSHA1 + " (--pin #1) does not match certificate #0 (leaf, CN=pinned.example.net", "as BearSSL client compares it",
				"Received cert FP doesn't match", `; to pin now: setFingerprint "` + sameSHA1 + `"`},
				Fix: `setFingerprint "` + sameSHA1 + `" — breaks at the next renewal, by 2026-11-06 at the latest; publicly trusted leaf certificates issued on 2026-05-01 last at most 200 days`}}},
		{"a key pin survives a renewal that keeps the key",
			withPins(served(r.sameKey), r.checkDate, 30, pinsOf(t, oldKey)), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"(setKnownKey)", "is replaced by 2026-11-06 (188 days) at the latest: the pin survives that renewal only if the new certificate keeps the key"}}}},
		{"a key pin given as PEM survives it too",
			withPins(served(r.sameKey), r.checkDate, 30, pinsOf(t, oldKeyPEM)), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"pin (PEM PUBLIC KEY) (--pin #1) matches"}}}},
		{"a key pin breaks on a renewal with a new key",
			withPins(served(r.newKey), r.checkDate, 30, pinsOf(t, oldKey)), bearSSLProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Actual: pin.Format(newT.Value(pin.PublicKey), pin.FormatPEMPublicKey), Contains: []string{"does not match certificate #0"},
				Fix: "setKnownKey with the leaf's public key as PEM (-----BEGIN PUBLIC KEY-----…, whole in `certlint root` and in -o json) — survives renewals that keep the key"}}},
		{"the fix offers the intermediate and the root as anchors",
			withPins(served(r.newKey), r.checkDate, 30, pinsOf(t, oldSHA1)), bearSSLProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Fix: "hold the intermediate CN=Test TLS CA, O=certlint test"}}},
		{"one matching pin among stale ones passes",
			withPins(served(r.sameKey), r.checkDate, 30, pinsOf(t, oldSHA1, sameSHA1)), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Contains: []string{"(--pin #2) matches"}}}},
		{"a pin inside the warning window warns with days left",
			withPins(served(r.soon), r.checkDate, 30, pinsOf(t, pin.Format(pin.NewTarget(r.soon.DER).Value(pin.CertSHA1), pin.FormatHexColon))), bearSSLProfile(),
			[]want{{Severity: Warn, CertIndex: 0, Actual: 9, Contains: []string{"pin breaks within 9 days: ", "is replaced by 2026-05-11 (9 days) at the latest"}, Fix: "setKnownKey"}}},
		{"the same pin passes with a narrower window",
			withPins(served(r.soon), r.checkDate, 7, pinsOf(t, pin.Format(pin.NewTarget(r.soon.DER).Value(pin.CertSHA1), pin.FormatHex))), bearSSLProfile(),
			[]want{{Severity: Pass, CertIndex: 0, Actual: 9}}},
		{"a key pin inside the window warns that the key may not be kept",
			withPins(served(r.soon), r.checkDate, 30, pinsOf(t, pin.Format(pin.NewTarget(r.soon.DER).Value(pin.SPKISHA256), pin.FormatHPKP))), bearSSLProfile(),
			[]want{{Severity: Warn, CertIndex: 0, Actual: 9, Contains: []string{"the pinned key's certificate is renewed within 9 days; whether the key is kept is not known"}}}},
		{"a pin on an expired leaf warns: the renewal is due",
			withPins(served(r.soon), r.checkDate.AddDate(0, 1, 0), 0, pinsOf(t, pin.Format(pin.NewTarget(r.soon.DER).Value(pin.CertSHA1), pin.FormatHex))), bearSSLProfile(),
			[]want{{Severity: Warn, CertIndex: 0, Contains: []string{"pin breaks within 0 days", "expired on 2026-05-11, 22 days before the check date, and is replaced any time now"}}}},
		{"a pin the device cannot hold warns with what it takes",
			withPins(served(r.old), r.checkDate, 30, pinsOf(t, "cert-sha256:"+pin.Format(oldT.Value(pin.CertSHA256), pin.FormatHex))), bearSSLProfile(),
			[]want{{Severity: Warn, CertIndex: -1, Contains: []string{"BearSSL client holds SHA-1 certificate fingerprint (setFingerprint, leaf) or public key (setKnownKey, leaf)",
				"is a SHA-256 certificate fingerprint"}, Fix: "give the pin the device holds"}}},
		{"a pin of another server's certificate fails",
			withPins(served(r.otherServerLeaf), r.checkDate, 30, pinsOf(t, string(r.old.PEM()))), bearSSLProfile(),
			[]want{{Severity: Fail, CertIndex: 0, Contains: []string{"pin (PEM CERTIFICATE) (--pin #1) does not match"}}}},
		{"an empty chain skips", withPins(&chain.Observation{}, r.checkDate, 30, pinsOf(t, oldSHA1)), bearSSLProfile(),
			[]want{{Severity: Skip, CertIndex: -1, Contains: []string{"no certificate"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "pin").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}

// TestPinCeilingDates checks the SC081v3 step the pass quotes on the days
// around each step.
func TestPinCeilingDates(t *testing.T) {
	k := pki()
	leaf := k.inter.Leaf(testpki.Spec{CN: "long.example.net", NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)})
	fp := pin.Format(pin.NewTarget(leaf.DER).Value(pin.CertSHA1), pin.FormatHexSpaced)
	for _, tt := range []struct{ at, want string }{
		{"2026-03-14", "issued on 2026-03-14 last at most 398 days, so a leaf pin breaks at least every 398 days, every 200 days from 2026-03-15"},
		{"2026-03-15", "at least every 200 days, every 100 days from 2027-03-15"},
		{"2027-03-14", "at least every 200 days, every 100 days from 2027-03-15"},
		{"2027-03-15", "at least every 100 days, every 47 days from 2029-03-15"},
		{"2029-03-14", "at least every 100 days, every 47 days from 2029-03-15"},
		{"2029-03-15", "at least every 47 days (CA/Browser Forum"},
	} {
		at, _ := time.Parse("2006-01-02", tt.at)
		obs := withPins(observe(chainOf(leaf, k.inter), k.root, chain.SourceStore), at.Add(12*time.Hour), 30, pinsOf(t, fp))
		got := checkByID(t, "pin").Evaluate(obs, bearSSLProfile())
		if len(got) != 1 || !strings.Contains(got[0].Message, tt.want) {
			t.Errorf("at %s: %s, want %q", tt.at, dumpFindings(got), tt.want)
		}
	}
}

// TestPinBypassesChainChecks: a device that pins its server's leaf
// connects whatever the chain's anchor, dates and names are, so those
// checks say they do not apply instead of failing.
func TestPinBypassesChainChecks(t *testing.T) {
	r := pinPKI()
	fp := pin.Format(pin.NewTarget(r.old.DER).Value(pin.CertSHA1), pin.FormatHexSpaced)
	obs := observe(chainOf(r.old), nil, "") // no intermediate, no anchor
	obs.ServerName = "other.example.net"    // and the wrong name
	res := Evaluate(withPins(obs, r.checkDate, 30, pinsOf(t, fp)), bearSSLProfile())
	for _, f := range res.Findings {
		switch f.Check {
		case "trust-anchor", "chain-complete", "hostname", "validity", "ca-file":
			if f.Severity != Skip || !strings.Contains(f.Message, "holds a pin (setFingerprint)") {
				t.Errorf("%s: %s %s, want skip because the device pins", f.Check, f.Severity, f.Message)
			}
		case "pin":
			if f.Severity != Pass {
				t.Errorf("pin: %s %s", f.Severity, f.Message)
			}
		}
	}
	if res.Verdict != Pass {
		t.Errorf("verdict %s, want pass: the device connects on its pin", res.Verdict)
	}
	// Without the pin the same chain fails: the bypass is the pin's doing.
	obs.Pins = nil
	if res := Evaluate(obs, bearSSLProfile()); res.Verdict != Fail {
		t.Errorf("without a pin: verdict %s, want fail", res.Verdict)
	}
}

// TestPinProfileValidation checks trust.pins entries are validated with
// their line: kinds, comparisons, formats and bypassed checks.
func TestPinProfileValidation(t *testing.T) {
	r := testRegistry(t)
	if err := r.ValidateFile(filepath.Join("testdata", "profiles", "bearssl-pins.yaml")); err != nil {
		t.Fatalf("the BearSSL pins profile: %v", err)
	}
	bad := "id: x\ntrust:\n  pins:\n    - kind: cert-md5\n      compares: root\n      format: hex\n      call: pin\n      bypasses: [trust-anchor, trust]\n    - kind: cert-sha1\n      format: braille\n"
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	err := r.ValidateFile(file)
	for _, w := range []string{
		`:4:13: trust.pins.kind: unknown value "cert-md5" (known: cert-sha1, cert-sha256, spki-sha256, public-key, certificate)`,
		`:5:17: trust.pins.compares: unknown value "root" (known: leaf, any)`,
		`:8:32: trust.pins.bypasses: "trust" is not a check ID`,
		`:9:7: trust.pins: each entry needs compares`,
		`:10:15: trust.pins.format: unknown value "braille"`,
		`:9:7: trust.pins: each entry needs call`,
	} {
		if err == nil || !strings.Contains(err.Error(), file+w) {
			t.Errorf("error\n%v\ndoes not contain %q", err, file+w)
		}
	}
}
