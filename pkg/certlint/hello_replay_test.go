package certlint

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/report"
)

// finding returns the finding of check for device, failing the test when
// there is none.
func finding(t *testing.T, tr report.TargetReport, device, check string) (string, string) {
	t.Helper()
	for _, d := range tr.Devices {
		if d.Device != device {
			continue
		}
		for _, f := range d.Findings {
			if f.Check == check {
				return string(f.Severity), f.Message
			}
		}
	}
	t.Fatalf("no %s finding for %s", check, device)
	return "", ""
}

func writeProfile(t *testing.T, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDeviceWithoutSNIIsCheckedOnTheDefaultCertificate: a server with a
// small certificate for device.test (SNI) and a big default certificate.
// A device that sends SNI is measured on the small one; a device without
// SNI on the big default one, and its sni finding says so.
func TestDeviceWithoutSNIIsCheckedOnTheDefaultCertificate(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "SNI Test Root"})
	inter := root.Intermediate(testpki.Spec{CN: "SNI Test CA"})
	named := testpki.Chain{inter.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}}), inter}
	fallback := testpki.Chain{inter.Leaf(testpki.Spec{CN: "default.test", DNSNames: testpki.ManyNames("default.test", 90)}), inter}
	if len(fallback[0].DER) <= 2560 || len(named[0].DER) > 2560 {
		t.Fatalf("fixture sizes %d / %d do not straddle 2,560 bytes", len(fallback[0].DER), len(named[0].DER))
	}
	namedCert := named.TLSCertificate()
	addr := testpki.Serve(t, &tls.Config{
		MinVersion:   tls.VersionTLS10,
		Certificates: []tls.Certificate{fallback.TLSCertificate()},
		GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hi.ServerName == "device.test" {
				return &namedCert, nil
			}
			return nil, nil
		},
	})
	noSNI := writeProfile(t, "id: nosni\nname: No-SNI Device\nextends: cc3200\ncertificates:\n  max_cert_bytes: 2560\n")
	withSNI := writeProfile(t, "id: withsni\nname: SNI Device\nextends: cc3200\ntls:\n  sni: true\ncertificates:\n  max_cert_bytes: 2560\n")
	rep, err := Check(context.Background(), Request{
		Targets: []string{addr}, ServerName: "device.test", Devices: []string{"nosni,withsni"},
		ProfileFiles: []string{noSNI, withSNI},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Reports[0]
	if sev, msg := finding(t, tr, "nosni", "cert-size"); sev != "fail" || !strings.Contains(msg, "default.test") {
		t.Errorf("nosni cert-size = %s %q, want a failure on the default certificate", sev, msg)
	}
	if sev, msg := finding(t, tr, "nosni", "sni"); sev != "warn" || !strings.Contains(msg, "ran on this default certificate") {
		t.Errorf("nosni sni = %s %q, want a warning (cc3200 checks no names) that says the checks ran on the default certificate", sev, msg)
	}
	if sev, msg := finding(t, tr, "withsni", "cert-size"); sev != "pass" {
		t.Errorf("withsni cert-size = %s %q, want a pass on the certificate for device.test", sev, msg)
	}
	if sev, _ := finding(t, tr, "withsni", "sni"); sev != "pass" {
		t.Errorf("withsni sni = %s, want pass", sev)
	}
}

// TestCustomProfileWithExactHello: a custom profile that knows its whole
// ClientHello is replayed exactly against a CBC-only and a GCM-only server;
// a profile that knows only part of it says its hello was approximated.
func TestCustomProfileWithExactHello(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "Hello Test Root"})
	leaf := testpki.Chain{root.Intermediate(testpki.Spec{CN: "Hello CA"}).Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}})}
	exact := writeProfile(t, `id: exactdev
name: Exact Device
tls:
  versions: [tls1.0, tls1.1, tls1.2]
  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA256]
  sni: true
  hello_known: full
  hello_version: tls1.2
  compression: [null]
  extensions: [server_name, signature_algorithms, renegotiation_info]
  signature_algorithms: [rsa_pkcs1_sha256, rsa_pkcs1_sha1]
`)
	for _, tt := range []struct {
		name   string
		suites []uint16
		want   string
		quote  string
	}{
		{"cbc-only", []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}, "pass", "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{"gcm-only", []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, "fail", "alert handshake_failure"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := testpki.Serve(t, &tls.Config{MinVersion: tls.VersionTLS10, CipherSuites: tt.suites, Certificates: []tls.Certificate{leaf.TLSCertificate()}})
			rep, err := Check(context.Background(), Request{Targets: []string{addr}, ServerName: "device.test", Devices: []string{"exactdev,cc3200"}, ProfileFiles: []string{exact}})
			if err != nil {
				t.Fatal(err)
			}
			tr := rep.Reports[0]
			sev, msg := finding(t, tr, "exactdev", "cipher-suite")
			if sev != tt.want || !strings.Contains(msg, tt.quote) || strings.Contains(msg, "approximated") {
				t.Errorf("exactdev cipher-suite = %s %q, want %s quoting %q, exact replay", sev, msg, tt.want, tt.quote)
			}
			if _, msg := finding(t, tr, "cc3200", "cipher-suite"); !strings.Contains(msg, "ClientHello approximated") {
				t.Errorf("cc3200 cipher-suite %q: want the approximation named", msg)
			}
		})
	}
}
