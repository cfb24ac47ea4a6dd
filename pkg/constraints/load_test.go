package constraints

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const baseProfile = `id: testdev
name: Test Device
aliases: [testdev-a]
firmware: "2.x"
tls:
  versions: [tls1.0, tls1.2]
  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]
certificates:
  max_cert_bytes: 2560
  key_types: [rsa, ecdsa]
  rsa_max_bits: 4096
trust:
  model: loaded-ca
  ca_formats: [der]
receive:
  max_handshake_message_bytes: 4096
  message_count: with-header
  reassembles_handshake: false
  max_record_bytes: 4096
variants:
  "1.0":
    firmware: "1.x"
    certificates: {key_types: [rsa], rsa_max_bits: 2048}
sources:
  certificates.max_cert_bytes:
    - ref: "vendor forum answer"
      confidence: vendor-forum
`

func testRegistry(t *testing.T) *Registry {
	t.Helper()
	r, err := LoadFS(fstest.MapFS{"testdev.yaml": {Data: []byte(baseProfile)}}, "profiles/")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	return r
}

func TestRegistryGetVariantMergesOverrides(t *testing.T) {
	r := testRegistry(t)
	base, err := r.Get("testdev")
	if err != nil {
		t.Fatal(err)
	}
	v10, err := r.Get("testdev-a@1.0")
	if err != nil {
		t.Fatal(err)
	}
	if base.Certificates.RSAMaxBits != 4096 || len(base.Certificates.KeyTypes) != 2 || base.Firmware != "2.x" {
		t.Errorf("base = %+v, want rsa_max_bits 4096, two key types, firmware 2.x", base.Certificates)
	}
	if v10.Certificates.RSAMaxBits != 2048 || strings.Join(v10.Certificates.KeyTypes, ",") != "rsa" || v10.Firmware != "1.x" {
		t.Errorf("variant = %+v firmware %q, want rsa_max_bits 2048, key types [rsa], firmware 1.x", v10.Certificates, v10.Firmware)
	}
	if v10.Certificates.MaxCertBytes != 2560 || v10.Trust.Model != "loaded-ca" {
		t.Errorf("variant lost inherited values: %+v %+v", v10.Certificates, v10.Trust)
	}
	if v10.Selector() != "testdev@1.0" || base.Selector() != "testdev" {
		t.Errorf("selectors = %q, %q", v10.Selector(), base.Selector())
	}
	// The variant must not have changed the base profile.
	again, _ := r.Get("testdev")
	if again.Certificates.RSAMaxBits != 4096 {
		t.Errorf("base changed after selecting a variant: rsa_max_bits %d", again.Certificates.RSAMaxBits)
	}
}

func TestRegistrySelect(t *testing.T) {
	r := testRegistry(t)
	tests := []struct {
		in      []string
		want    string
		wantErr string
	}{
		{nil, "testdev", ""},
		{[]string{"all"}, "testdev", ""},
		{[]string{"testdev,testdev@1.0"}, "testdev testdev@1.0", ""},
		{[]string{"testdev", "TESTDEV-A"}, "testdev", ""},
		{[]string{"nosuch"}, "", `unknown device "nosuch"; known devices: testdev`},
		{[]string{"testdev@9.9"}, "", `no firmware variant "9.9"; variants: testdev@1.0`},
	}
	for _, tt := range tests {
		got, err := r.Select(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Select(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Select(%q): %v", tt.in, err)
			continue
		}
		var ids []string
		for _, p := range got {
			ids = append(ids, p.Selector())
		}
		if strings.Join(ids, " ") != tt.want {
			t.Errorf("Select(%q) = %q, want %q", tt.in, ids, tt.want)
		}
	}
}

func TestAddFileExtends(t *testing.T) {
	r := testRegistry(t)
	file := filepath.Join(t.TempDir(), "mine.yaml")
	custom := "id: mydev\nname: My board\nextends: testdev@1.0\ncertificates:\n  max_cert_bytes: 4096\n"
	if err := os.WriteFile(file, []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.AddFile(file); err != nil {
		t.Fatalf("AddFile: %v", err)
	}
	p, err := r.Get("mydev")
	if err != nil {
		t.Fatal(err)
	}
	if p.Certificates.MaxCertBytes != 4096 || p.Certificates.RSAMaxBits != 2048 || p.Name != "My board" {
		t.Errorf("mydev = %q %+v, want max_cert_bytes 4096 from the file and rsa_max_bits 2048 from testdev@1.0", p.Name, p.Certificates)
	}
	if _, err := r.Get("testdev-a"); err != nil {
		t.Errorf("base alias lost: %v", err)
	}
	if len(p.Aliases) != 0 {
		t.Errorf("extending profile inherited aliases %q", p.Aliases)
	}
}

func TestValidateFileReportsEveryProblemWithPosition(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", "id: x\nname: X\ncertificates:\n  max_cert_byte: 10\n", []string{`:4:3: unknown key "max_cert_byte" in certificates (known: `}},
		{"wrong type", "id: x\ncertificates:\n  max_cert_bytes: big\n", []string{`:3:19: certificates.max_cert_bytes: "big" is not a valid int`}},
		{"unknown suite", "id: x\ntls:\n  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_FANCY]\n", []string{`:3:49: unknown cipher suite "TLS_FANCY"`}},
		{"negative size", "id: x\ncertificates:\n  max_chain_bytes: -1\n", []string{`:3:20: certificates.max_chain_bytes must not be negative`}},
		{"unknown version", "id: x\ntls:\n  versions: [tls1.2, tls1.4]\n", []string{`:3:22: unknown TLS version "tls1.4"`}},
		{"bad vocabulary", "id: x\ntrust:\n  model: trust-me\n", []string{`:3:10: trust.model: unknown value "trust-me"`}},
		{"bad source path", "id: x\nsources:\n  certificates.max_size:\n    - ref: a\n      confidence: sure\n", []string{`:3:3: sources: "certificates.max_size" is not a profile field`, `:5:19: unknown confidence "sure"`}},
		{"bad id", "id: My Device\n", []string{`:1:5: id "My Device" may hold only`}},
		{"variant typo", "id: x\nvariants:\n  \"1.0\":\n    certificates: {rsa_max_bit: 2048}\n", []string{`:4:20: unknown key "rsa_max_bit" in variants.1.0.certificates`}},
		{"not yaml", "id: [unclosed\n", []string{`:1:1: did not find expected`}},
		{"unknown extends", "id: x\nextends: nosuch\n", []string{`:2:10: extends: unknown device "nosuch"`}},
		{"unknown extension", "id: x\ntls:\n  extensions: [server_name, sni]\n", []string{`:3:29: tls.extensions: unknown value "sni"`}},
		{"unknown sigalg", "id: x\ntls:\n  signature_algorithms: [rsa_pkcs1_sha256, sha256WithRSA]\n", []string{`:3:44: tls.signature_algorithms: unknown value "sha256WithRSA"`}},
		{"bad wire fields", "id: x\ntls:\n  hello_version: tls1.9\n  record_version: tls1.3\n  compression: [lzs]\n  hello_known: mostly\n",
			[]string{`:3:18: tls.hello_version: unknown value "tls1.9"`, `:4:19: tls.record_version: unknown value "tls1.3"`, `:5:17: tls.compression: unknown value "lzs"`, `:6:16: tls.hello_known: unknown value "mostly"`}},
		{"mfl without size", "id: x\ntls:\n  extensions: [max_fragment_length]\n", []string{`:3:16: tls.extensions lists max_fragment_length: give the size`}},
		{"bad mfl size", "id: x\ntls:\n  max_fragment_length: 1000\n", []string{`:3:24: tls.max_fragment_length: 1000 is not a size`}},
		{"receive: limit without count, negative, too large", "id: x\nreceive:\n  max_handshake_message_bytes: 4096\n  max_record_bytes: -1\n",
			[]string{`:3:32: receive.max_handshake_message_bytes is set: say how the stack counts`, `:4:21: receive.max_record_bytes must not be negative`}},
		{"receive: sizes TLS cannot have", "id: x\nreceive:\n  max_handshake_message_bytes: 20000000\n  message_count: header\n  max_record_bytes: 16709\n  reassembles_handshake: maybe\n",
			[]string{`:3:32: receive.max_handshake_message_bytes: 20000000 is more than a handshake message can be (16777219 bytes`, `:4:18: receive.message_count: unknown value "header" (known: with-header, body)`,
				`:5:21: receive.max_record_bytes: 16709 is more than a TLS record's plaintext can be (16384)`, `:6:26: receive.reassembles_handshake: "maybe" is not a valid bool`}},
		{"full hello incomplete", "id: x\ntls:\n  versions: [tls1.2]\n  hello_known: full\n", []string{`:4:16: tls.hello_known: full needs tls.versions and tls.cipher_suites`, `:4:16: tls.hello_known: full needs tls.extensions`}},
		{"full hello inconsistent", "id: x\ntls:\n  versions: [tls1.2]\n  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n  sni: false\n  hello_known: full\n  extensions: [server_name, signature_algorithms, server_name]\n",
			[]string{`:5:8: tls.sni is false but tls.extensions lists server_name`, `:7:51: tls.extensions: "server_name" is listed twice`, `:7:29: tls.extensions lists signature_algorithms: give them`}},
	}
	r := testRegistry(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "p.yaml")
			if err := os.WriteFile(file, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			err := r.ValidateFile(file)
			var perrs ProfileErrors
			if !errors.As(err, &perrs) {
				t.Fatalf("ValidateFile = %v, want ProfileErrors", err)
			}
			if len(perrs) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(perrs), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), file+w) {
					t.Errorf("error\n%v\ndoes not contain %q", err, file+w)
				}
			}
		})
	}
}

func TestValidateFileAcceptsGoodProfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(file, []byte(strings.Replace(baseProfile, "testdev", "otherdev", -1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := testRegistry(t).ValidateFile(file); err != nil {
		t.Errorf("ValidateFile(good) = %v", err)
	}
}

func TestSourcesForWeakestConfidence(t *testing.T) {
	p := &Profile{Sources: map[string][]SourceRef{
		"a": {{Ref: "manual", Confidence: "vendor-doc"}},
		"b": {{Ref: "forum", Confidence: "field-report"}},
		"c": {{Ref: "searched the manual, found nothing", Confidence: "unknown"}},
	}}
	refs, conf := p.SourcesFor("a", "b", "c", "missing")
	if len(refs) != 2 || conf != "field-report" {
		t.Errorf("SourcesFor = %v %q, want the 2 known refs and field-report", refs, conf)
	}
	refs, conf = p.SourcesFor("c")
	if len(refs) != 1 || conf != "unknown" {
		t.Errorf("SourcesFor(only unknown) = %v %q, want the search note and unknown", refs, conf)
	}
}

func TestHelloSpecFromFullProfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "full.yaml")
	data := `id: fulldev
name: Full Device
tls:
  versions: [tls1.0, tls1.2]
  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]
  sni: true
  hello_known: full
  hello_version: tls1.2
  compression: [null]
  extensions: [server_name, signature_algorithms]
  signature_algorithms: [rsa_pkcs1_sha256, rsa_pkcs1_sha1]
`
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := testRegistry(t)
	if err := r.AddFile(file); err != nil {
		t.Fatalf("AddFile: %v", err)
	}
	p, err := r.Get("fulldev")
	if err != nil {
		t.Fatal(err)
	}
	spec := p.HelloSpec()
	if !spec.Exact || spec.HelloVersion != "tls1.2" || strings.Join(spec.Extensions, ",") != "server_name,signature_algorithms" ||
		strings.Join(spec.SignatureAlgorithms, ",") != "rsa_pkcs1_sha256,rsa_pkcs1_sha1" || spec.Validate() != nil {
		t.Errorf("HelloSpec = %+v, want the exact hello of the file", spec)
	}
	base, _ := r.Get("testdev")
	if base.HelloSpec().Exact || base.HelloKnown() != "partial" {
		t.Errorf("testdev (no hello_known) = exact %t, known %q; want an approximated, partial hello", base.HelloSpec().Exact, base.HelloKnown())
	}
}

// `profiles validate` says the same thing every run: problems in file
// order, vocabularies from the chain tables in a fixed order.
func TestValidateIsDeterministic(t *testing.T) {
	reg, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bad.yaml")
	bad := "id: bad\nname: Bad\ntls: {versions: [tls9], curves: [p256], hello_version: x, max_version: y, record_version: tls1.3, compression: [zip]}\n" +
		"trust: {model: magic, ca_formats: [txt], path_order: sideways, anchor_match: guess}\ncertificates: {key_types: [dsa], ec_curves: [P-1]}\n"
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	first := reg.ValidateFile(file)
	if first == nil || !strings.Contains(first.Error(), "known: ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3") || !strings.Contains(first.Error(), "known: secp256r1, secp384r1, secp521r1, x25519") {
		t.Fatalf("ValidateFile: %v", first)
	}
	for range 20 {
		if err := reg.ValidateFile(file); err == nil || err.Error() != first.Error() {
			t.Fatalf("ValidateFile changed:\n%v\nthen\n%v", first, err)
		}
	}
}
