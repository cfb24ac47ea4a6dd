package report_test

import (
	"bytes"
	"testing"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// Fixed profiles for the profile renderers' golden files: the renderers
// are tested on values, not on the built-in YAML, so a changed device
// fact changes no golden file here (the CLI stories cover the real ones).

func yes() *bool { b := true; return &b }

// exactProfile has a vendor, aliases, variants, notes, a ClientHello known
// byte for byte, cited sources and a warn-only check.
func exactProfile() *constraints.Profile {
	return &constraints.Profile{
		ID: "board-a", Name: "Board A module", Vendor: "Acme", Firmware: "2.1",
		Aliases: []string{"boarda", "acme-a"}, Variants: []string{"1.0", "2.0"}, Variant: "2.0",
		Notes: "  Board A speaks TLS 1.2 only.\n",
		TLS: constraints.TLSLimits{
			Versions:            []string{"tls1.1", "tls1.2"},
			CipherSuites:        []string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
			Curves:              []string{"secp256r1"},
			SNI:                 yes(),
			HelloKnown:          "full",
			Compression:         []string{"null"},
			Extensions:          []string{"server_name", "supported_groups", "ec_point_formats", "signature_algorithms", "max_fragment_length", "renegotiation_info"},
			SignatureAlgorithms: []string{"rsa_pkcs1_sha256"},
			MaxFragmentLength:   512,
			HelloNote:           "captured from the module",
		},
		Certificates: constraints.CertificateLimits{MaxCertBytes: 2048, MaxChainDepth: 3, KeyTypes: []string{"rsa", "ecdsa"}, RSAMaxBits: 4096},
		Trust:        constraints.TrustModel{Model: "ca-file", CAFormats: []string{"pem"}, PathOrder: "strict"},
		Receive:      constraints.ReceiveLimits{MaxHandshakeMessageBytes: 16384, MessageCount: "with-header"},
		WarnOnly:     map[string]string{"validity": "connects, logs a date error", "hostname": "connects without checking"},
		Sources: map[string][]constraints.SourceRef{
			"certificates.max_cert_bytes": {
				{Ref: "Board A manual §4.2", URL: "https://example.com/manual", Confidence: "vendor-doc", Note: "two kilobytes per certificate"},
				{Ref: "forum answer", Confidence: "vendor-forum"},
			},
		},
	}
}

// partialProfile has no vendor, a partly known hello and a note on it.
func partialProfile() *constraints.Profile {
	return &constraints.Profile{
		ID: "board-b", Name: "Board B", Firmware: "1.0",
		TLS: constraints.TLSLimits{
			Versions:     []string{"tls1.0", "tls1.2"},
			CipherSuites: []string{"TLS_RSA_WITH_AES_256_CBC_SHA"},
			Curves:       []string{"secp256r1", "secp384r1"},
			HelloNote:    "only the suites are published",
		},
	}
}

// unknownProfile knows no TLS version, so nothing is replayed.
func unknownProfile() *constraints.Profile {
	return &constraints.Profile{
		ID: "board-c", Name: "Board C", Vendor: "Acme", Firmware: "unknown",
		TLS: constraints.TLSLimits{HelloNote: "no capture yet"},
	}
}

func render(t *testing.T, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenProfile(t *testing.T) {
	for name, p := range map[string]*constraints.Profile{
		"profile-exact": exactProfile(), "profile-partial": partialProfile(), "profile-unknown": unknownProfile(),
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".txt", render(t, func(b *bytes.Buffer) error { return report.WriteProfile(b, p) }))
			golden(t, name+".json", render(t, func(b *bytes.Buffer) error { return report.WriteProfileJSON(b, p) }))
		})
	}
}

func TestGoldenProfileList(t *testing.T) {
	// Out of vendor order: the text list groups by vendor, other last;
	// the JSON list keeps the given order.
	all := []*constraints.Profile{partialProfile(), unknownProfile(), exactProfile()}
	golden(t, "profiles.txt", render(t, func(b *bytes.Buffer) error { return report.WriteProfiles(b, all) }))
	golden(t, "profiles.json", render(t, func(b *bytes.Buffer) error { return report.WriteProfilesJSON(b, all) }))
	if all[0].ID != "board-b" {
		t.Errorf("WriteProfiles reordered its argument: first is %s", all[0].ID)
	}
}

func TestGoldenRootStore(t *testing.T) {
	s := &constraints.RootStore{
		Name: "test-roots", Title: "Test roots", Source: "built by the test", Update: "flash a new bundle",
		Roots: []constraints.StoreRoot{
			{Subject: "CN=Root One", Key: "RSA 2048", NotAfter: "2030-01-01", SPKISHA256: "aa11"},
			{Subject: "CN=A Longer Root Name", Key: "ECDSA P-256", NotAfter: "2040-06-30", SPKISHA256: "bb22"},
		},
	}
	golden(t, "store.txt", render(t, func(b *bytes.Buffer) error { return report.WriteRootStore(b, s) }))
}
