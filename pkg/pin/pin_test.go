package pin

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// leafPKI is a leaf, its renewal with the same key and a renewal with a
// new key, as an ESP8266 pinning a server sees them over time.
func leafPKI() (leaf, sameKey, newKey *testpki.Cert) {
	root := testpki.Root(testpki.Spec{CN: "pin test root"})
	leaf = root.Leaf(testpki.Spec{CN: "pin.example.net"})
	sameKey = root.Leaf(testpki.Spec{CN: "pin.example.net"}) // testpki reuses the key of a CN
	newKey = root.Leaf(testpki.Spec{CN: "pin.example.net", KeySlot: "rotated"})
	return
}

func spaced(b []byte, sep string, upper bool) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = hex.EncodeToString([]byte{x})
		if upper {
			parts[i] = strings.ToUpper(parts[i])
		}
	}
	return strings.Join(parts, sep)
}

// TestParseSpellings reads the same pins in every spelling users paste and
// checks each gives the same kind and value.
func TestParseSpellings(t *testing.T) {
	leaf, _, _ := leafPKI()
	s1 := sha1.Sum(leaf.DER)
	s256 := sha256.Sum256(leaf.DER)
	spki, err := x509.MarshalPKIXPublicKey(leaf.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	k256 := sha256.Sum256(spki)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
	tests := []struct {
		in   string
		kind Kind
		val  []byte
	}{
		{spaced(s1[:], " ", true), CertSHA1, s1[:]},                       // ESP8266 examples: "B8 4F 40 …"
		{spaced(s1[:], ":", true), CertSHA1, s1[:]},                       // browsers, openssl
		{spaced(s1[:], ":", false), CertSHA1, s1[:]},                      // lower case
		{hex.EncodeToString(s1[:]), CertSHA1, s1[:]},                      // plain hex
		{strings.ToUpper(hex.EncodeToString(s1[:])), CertSHA1, s1[:]},     // plain upper hex
		{"  " + spaced(s1[:], " ", false) + " \n", CertSHA1, s1[:]},       // pasted with blanks around
		{"\ufeff" + spaced(s1[:], " ", true), CertSHA1, s1[:]},            // BOM from a Windows editor
		{"SHA1 Fingerprint=" + spaced(s1[:], ":", true), CertSHA1, s1[:]}, // openssl x509 -fingerprint
		{"cert-sha1:" + hex.EncodeToString(s1[:]), CertSHA1, s1[:]},
		{"sha256 Fingerprint=" + spaced(s256[:], ":", true), CertSHA256, s256[:]},
		{"cert-sha256:" + spaced(s256[:], " ", true), CertSHA256, s256[:]},
		{spaced(s256[:], ":", true), SHA256, s256[:]}, // unlabelled: certificate or key, per device
		{"sha256//" + base64.StdEncoding.EncodeToString(k256[:]), SPKISHA256, k256[:]},
		{`pin-sha256="` + base64.StdEncoding.EncodeToString(k256[:]) + `"`, SPKISHA256, k256[:]},
		{base64.StdEncoding.EncodeToString(k256[:]), SPKISHA256, k256[:]}, // bare HPKP base64
		{"spki-sha256:" + hex.EncodeToString(k256[:]), SPKISHA256, k256[:]},
		{"spki-sha256:" + base64.StdEncoding.EncodeToString(k256[:]), SPKISHA256, k256[:]},
		{keyPEM, PublicKey, spki},
		{string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(leafRSA(t, leaf))})), PublicKey, spki},
		{string(leaf.PEM()), Certificate, leaf.DER},
		{"\ufeff" + string(leaf.PEM()), Certificate, leaf.DER},
		{"00 E1 9E 7E CE DF EA 0D 42 17 51 3E C9 EE C6 D6 0C 45 FF FF", CertSHA1, // text starting with '0', the byte of a DER SEQUENCE
			[]byte{0x00, 0xe1, 0x9e, 0x7e, 0xce, 0xdf, 0xea, 0x0d, 0x42, 0x17, 0x51, 0x3e, 0xc9, 0xee, 0xc6, 0xd6, 0x0c, 0x45, 0xff, 0xff}},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in, "--pin #1")
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if p.Kind != tt.kind || string(p.Value) != string(tt.val) {
			t.Errorf("Parse(%q) = %s %x, want %s %x", tt.in, p.Kind, p.Value, tt.kind, tt.val)
		}
	}
	// DER files read as they are.
	for _, der := range [][]byte{leaf.DER, spki} {
		if p, err := ParseBytes(der, "leaf.der", "pins.txt:3"); err != nil || p.Input != "leaf.der" {
			t.Errorf("ParseBytes(DER): %v %+v", err, p)
		}
	}
}

func leafRSA(t *testing.T, c *testpki.Cert) *rsa.PublicKey {
	t.Helper()
	k, ok := c.Cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("leaf key is %T, want RSA", c.Cert.PublicKey)
	}
	return k
}

// TestParseErrors checks each bad pin is refused with the pin, its origin
// and the reason.
func TestParseErrors(t *testing.T) {
	leaf, _, _ := leafPKI()
	tests := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"B8 4F 40 G1", `'G' at position 10 is not a hex digit`},
		{"B8 4F 4", "odd number"},
		{"B8 4F 40", "3 bytes; a SHA-1 fingerprint has 20"},
		{"cert-sha1:" + strings.Repeat("ab", 32), "32 bytes; a SHA-1 certificate fingerprint has 20"},
		{"sha256//" + base64.StdEncoding.EncodeToString(make([]byte, 20)), "20 bytes; a SHA-256 public-key pin has 32 (44 base64"},
		{"sha256//AAAA", "3 bytes; a SHA-256 public-key pin has 32"},
		{"spki-sha256:" + strings.Repeat("ab", 20), "20 bytes; a SHA-256 public-key pin has 32 (64 hex digits)"},
		{"sha256//", "no digest after the prefix"},
		{"sha256//not base64!", "not base64, which HPKP pins are written in"},
		{"spki-sha256:not base64!", "neither hex nor base64"},
		{"sha1//" + base64.StdEncoding.EncodeToString(make([]byte, 20)), "SHA-1 public-key pins are not supported"},
		{"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", "without a readable block"},
		{string(leaf.PEM()) + string(leaf.PEM()), "more than one PEM block"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}})), "certificate does not parse"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0x00}})), "PUBLIC KEY block does not parse"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1}})), "never copy a server's private key"},
		{string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{1}})), `type "X509 CRL"`},
		{strings.Repeat("a", maxInput+1), "longer than 64 KiB"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, "pins.txt:4")
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *pin.Error", tt.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) || !strings.HasPrefix(err.Error(), "pins.txt:4: pin ") {
			t.Errorf("Parse(%q) error %q, want it to start with the origin and hold %q", tt.in, err, tt.reason)
		}
	}
	if _, err := ParseBytes([]byte{0x30, 0x01, 0xff}, "junk.der", "--pin #1"); err == nil || !strings.Contains(err.Error(), `pin "junk.der": binary data`) {
		t.Errorf("ParseBytes(junk) = %v", err)
	}
}

// TestMatchRenewals compares pins of each kind with the leaf, its renewal
// with the same key and its renewal with a new key: certificate pins break
// at every renewal, key pins only when the key changes.
func TestMatchRenewals(t *testing.T) {
	leaf, sameKey, newKey := leafPKI()
	old := NewTarget(leaf.DER)
	pins := map[Kind]Pin{}
	for _, k := range []Kind{CertSHA1, CertSHA256, SPKISHA256, PublicKey, Certificate} {
		pins[k] = Pin{Kind: k, Value: old.Value(k)}
	}
	pins[SHA256] = Pin{Kind: SHA256, Value: old.Value(CertSHA256)}
	tests := []struct {
		pin    Kind
		device Kind
		target *testpki.Cert
		want   bool
	}{
		{CertSHA1, CertSHA1, leaf, true},
		{CertSHA1, CertSHA1, sameKey, false}, // setFingerprint breaks at every renewal
		{CertSHA256, CertSHA256, sameKey, false},
		{SPKISHA256, PublicKey, sameKey, true}, // setKnownKey survives a renewal that keeps the key
		{SPKISHA256, PublicKey, newKey, false},
		{PublicKey, PublicKey, sameKey, true},
		{PublicKey, SPKISHA256, newKey, false},
		{Certificate, CertSHA1, leaf, true},
		{Certificate, CertSHA256, leaf, true},
		{Certificate, PublicKey, leaf, false}, // a pinned certificate is not a pinned key
		{Certificate, CertSHA1, sameKey, false},
		{SHA256, CertSHA256, leaf, true},
		{SHA256, PublicKey, leaf, false},    // a certificate digest is not the key's
		{CertSHA1, PublicKey, leaf, false},  // not comparable
		{SPKISHA256, CertSHA1, leaf, false}, // not comparable
	}
	for _, tt := range tests {
		got := pins[tt.pin].Matches(tt.device, NewTarget(tt.target.DER))
		if got != tt.want {
			t.Errorf("%s pin on a %s device against %s: match %v, want %v", tt.pin, tt.device, tt.target.Cert.SerialNumber, got, tt.want)
		}
	}
	if (Pin{Kind: CertSHA1}).Comparable(PublicKey) || !(Pin{Kind: SHA256}).Comparable(SPKISHA256) {
		t.Error("Comparable: a SHA-1 certificate pin is not a key; an unlabelled SHA-256 may be")
	}
	if NewTarget([]byte("junk")).Value(SPKISHA256) != nil {
		t.Error("a target without a readable key has no key digest")
	}
}

func TestFormat(t *testing.T) {
	v := []byte{0xb8, 0x4f, 0x40, 0x0a}
	for format, want := range map[string]string{
		FormatHexSpaced: "B8 4F 40 0A", FormatHexColon: "B8:4F:40:0A", FormatHex: "b84f400a",
		FormatBase64: "uE9ACg==", FormatHPKP: "sha256//uE9ACg==", "": "b84f400a",
	} {
		if got := Format(v, format); got != want {
			t.Errorf("Format(%q) = %q, want %q", format, got, want)
		}
	}
	if got := Format(v, FormatPEMPublicKey); !strings.HasPrefix(got, "-----BEGIN PUBLIC KEY-----\n") || !strings.HasSuffix(got, "-----END PUBLIC KEY-----") {
		t.Errorf("Format(pem-public-key) = %q", got)
	}
	// What setFingerprint prints back must parse as the same pin.
	leaf, _, _ := leafPKI()
	s1 := NewTarget(leaf.DER).Value(CertSHA1)
	if p, err := Parse(Format(s1, FormatHexSpaced), ""); err != nil || string(p.Value) != string(s1) {
		t.Errorf("round trip: %v", err)
	}
}

// TestMaxLifetime pins the SC081v3 schedule on the day before and the day
// of each step.
func TestMaxLifetime(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(12 * time.Hour)
	}
	tests := []struct {
		at         string
		days, next int
		ok         bool
	}{
		{"2019-06-01", 0, 398, false},
		{"2020-09-01", 398, 200, true},
		{"2026-03-14", 398, 200, true},
		{"2026-03-15", 200, 100, true},
		{"2027-03-14", 200, 100, true},
		{"2027-03-15", 100, 47, true},
		{"2029-03-14", 100, 47, true},
		{"2029-03-15", 47, 0, true},
		{"2035-01-01", 47, 0, true},
	}
	for _, tt := range tests {
		now, next, ok := MaxLifetime(day(tt.at))
		if now.Days != tt.days || next.Days != tt.next || ok != tt.ok {
			t.Errorf("MaxLifetime(%s) = %d (next %d, ok %v), want %d (next %d, ok %v)", tt.at, now.Days, next.Days, ok, tt.days, tt.next, tt.ok)
		}
	}
}
