package certlint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// Expected values computed once with openssl 3 from
// examples/BaltimoreCyberTrustRoot.crt.pem:
//
//	openssl x509 -in BaltimoreCyberTrustRoot.crt.pem -outform der | sha256sum   → baltimoreDERSHA256
//	openssl x509 -in BaltimoreCyberTrustRoot.crt.pem -outform der | wc -c       → 891
//	openssl x509 -in BaltimoreCyberTrustRoot.crt.pem | sha256sum                → baltimorePEMSHA256 (1,261 bytes)
//	openssl x509 -in BaltimoreCyberTrustRoot.crt.pem -noout -ext subjectKeyIdentifier
//	                                                                            → E5:9D:59:…:4D:F0
const (
	baltimoreDERSHA256 = "16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb"
	baltimoreDERBytes  = 891
	baltimorePEMSHA256 = "d1c290ea1e4544dec1934931fbfa1fb2060eb3a0f2239ba191f444ecbce35cbb"
	baltimorePEMBytes  = 1261
	baltimoreSKI       = "e59d5930824758ccacfa085436867b3ab5044df0"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func example(name string) string { return filepath.Join("..", "..", "examples", name) }

func TestExportRootMatchesOpenSSL(t *testing.T) {
	for _, tt := range []struct {
		chainFile, device       string
		format, file, path, sha string
		size                    int
	}{
		// The served chain (leaf, Microsoft IT TLS CA 2) is anchored by the store's Baltimore root.
		{example("bing-2019.pem"), "spwf04", "pem", baltimoreSKI + ".ca", baltimoreSKI + ".ca", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "spwf04@1.0", "pem", baltimoreSKI + ".ca", baltimoreSKI + ".ca", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "wipy", "der", "ca.pem", "/flash/cert/ca.pem", baltimoreDERSHA256, baltimoreDERBytes},
		{example("bing-2019.pem"), "cc3200", "der", "root.der", "", baltimoreDERSHA256, baltimoreDERBytes},
		{example("bing-2019.pem"), "spwf01", "pem", "root.pem", "", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "esp8266", "pem", "root.pem", "", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "esp32", "pem", "root.pem", "", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "nina-w10", "pem", "root.pem", "", baltimorePEMSHA256, baltimorePEMBytes},
		{example("bing-2019.pem"), "atwinc1500", "pem", "root.pem", "", baltimorePEMSHA256, baltimorePEMBytes},
		// The root itself as the chain: it anchors itself.
		{example("BaltimoreCyberTrustRoot.crt.pem"), "wipy", "der", "ca.pem", "/flash/cert/ca.pem", baltimoreDERSHA256, baltimoreDERBytes},
		{example("BaltimoreCyberTrustRoot.crt.der"), "spwf04", "pem", baltimoreSKI + ".ca", baltimoreSKI + ".ca", baltimorePEMSHA256, baltimorePEMBytes},
	} {
		e, err := ExportRoot(context.Background(), RootRequest{ChainFile: tt.chainFile, Device: tt.device})
		if err != nil {
			t.Errorf("%s -d %s: %v", tt.chainFile, tt.device, err)
			continue
		}
		if e.Format != tt.format || e.FileName != tt.file || e.DevicePath != tt.path || len(e.Content) != tt.size || sum(e.Content) != tt.sha {
			t.Errorf("%s -d %s = %s %s %q %d bytes sha256 %s; want %s %s %q %d bytes sha256 %s",
				tt.chainFile, tt.device, e.Format, e.FileName, e.DevicePath, len(e.Content), sum(e.Content), tt.format, tt.file, tt.path, tt.size, tt.sha)
		}
		if e.Root.SKIHex() != baltimoreSKI || len(e.Steps) == 0 {
			t.Errorf("%s -d %s: SKI %s, %d steps", tt.chainFile, tt.device, e.Root.SKIHex(), len(e.Steps))
		}
	}
}

func TestExportRootSnippets(t *testing.T) {
	spwf, err := ExportRoot(context.Background(), RootRequest{ChainFile: example("bing-2019.pem"), Device: "spwf04"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AT+S.TLSCERT=content,2", "AT+S.TLSCERT=ca,891", "AT+S.TLSCERT=ca,1261", "AT+S.TLSCERT=auth,20", "e5 9d 59 30", "AT+S.TLSCERT=content,1"} {
		if !strings.Contains(spwf.Snippet, want) {
			t.Errorf("SPWF04 commands lack %q:\n%s", want, spwf.Snippet)
		}
	}
	wipy, err := ExportRoot(context.Background(), RootRequest{ChainFile: example("bing-2019.pem"), Device: "wipy"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wipy.Snippet, `ca_certs="/flash/cert/ca.pem"`) || !strings.Contains(wipy.Snippet, "CERT_REQUIRED") {
		t.Errorf("WiPy snippet:\n%s", wipy.Snippet)
	}
	// The base64 note decodes to the DER bytes.
	text := wipy.ContentText()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	der, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-1], ""))
	if err != nil || sum(der) != baltimoreDERSHA256 {
		t.Errorf("DER note does not decode to the root (%v):\n%s", err, text)
	}
}

// TestExportRootOpenStacks: the steps of the open-stack devices come from
// their profiles' templates, filled with this root: BearSSL code holding
// the PEM, the ESP-IDF bundle option or cacert_pem_buf with the PEM as C
// lines, the firmware uploader for NINA and WINC; a store device says
// whether its store already holds the root.
func TestExportRootOpenStacks(t *testing.T) {
	for _, tt := range []struct {
		device string
		want   []string // in Steps, Snippet or Notes
	}{
		{"esp8266", []string{"setTrustAnchors", "BearSSL::X509List trustAnchors(rootCA);", "R\"EOF(\n-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTAN", "expires 2025-05-12", "configTime"}},
		{"esp32", []string{"CONFIG_MBEDTLS_CUSTOM_CERTIFICATE_BUNDLE_PATH=\"root.pem\"", "\"-----BEGIN CERTIFICATE-----\\n\"\n\"MIIDdzCC", ".cacert_pem_bytes = sizeof(root_pem)", "(esp-idf-bundle) does not hold this root"}},
		{"esp32@4.4", []string{"(esp-idf-4.4-bundle) already holds this root"}},
		{"nina-w10", []string{"arduino-fwuploader certificates flash", "--file root.pem", "replaces the whole partition", "(nina-roots) already holds this root"}},
		{"atwinc1500", []string{"arduino-fwuploader certificates flash -b arduino:samd:mkr1000", "4 KB"}},
	} {
		e, err := ExportRoot(context.Background(), RootRequest{ChainFile: example("bing-2019.pem"), Device: tt.device})
		if err != nil {
			t.Errorf("-d %s: %v", tt.device, err)
			continue
		}
		all := strings.Join(e.Steps, "\n") + "\n" + e.Snippet + "\n" + strings.Join(e.Notes, "\n")
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("-d %s lacks %q:\n%s", tt.device, w, all)
			}
		}
		if strings.Contains(all, "{{") || strings.Contains(all, "<no value>") {
			t.Errorf("-d %s: an unfilled template:\n%s", tt.device, all)
		}
	}
}

// TestExportRootFromServer reads the chain the way check does: dial a
// server on 127.0.0.1 that sends leaf, intermediate and root.
func TestExportRootFromServer(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "certlint Root Export Test"})
	inter := root.Intermediate(testpki.Spec{CN: "certlint Export CA"})
	leaf := inter.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}})
	addr := testpki.ServeChain(t, testpki.Chain{leaf, inter, root})
	e, err := ExportRoot(context.Background(), RootRequest{Target: addr, ServerName: "device.test", Device: "wipy", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Content, root.DER) || e.FileName != "ca.pem" {
		t.Errorf("exported %s (%d bytes), want the served root's DER as ca.pem", e.FileName, len(e.Content))
	}
}

func TestExportRootRefuses(t *testing.T) {
	dir := t.TempDir()
	noSKI := testpki.Root(testpki.Spec{CN: "certlint Root Without SKI", NoSKI: true})
	ecRoot := testpki.Root(testpki.Spec{CN: "certlint EC Root", Key: "ecdsa256"})
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		file, device, reason string
	}{
		{write("no-ski.pem", noSKI.PEM()), "spwf04", "no Subject Key Identifier"},
		{write("ec-root.pem", ecRoot.PEM()), "spwf04@1.0", "takes rsa keys only"},
	} {
		_, err := ExportRoot(context.Background(), RootRequest{ChainFile: tt.file, Device: tt.device})
		var refusal *RootRefusal
		if !errors.As(err, &refusal) || !strings.Contains(refusal.Reason, tt.reason) || refusal.Instead == "" {
			t.Errorf("%s -d %s: error %v, want a refusal saying %q and what would work", tt.file, tt.device, err, tt.reason)
		}
	}
	// The same roots are fine where the device has no such rule.
	if _, err := ExportRoot(context.Background(), RootRequest{ChainFile: filepath.Join(dir, "no-ski.pem"), Device: "wipy"}); err != nil {
		t.Errorf("WiPy needs no SKI: %v", err)
	}
}

func TestExportRootBadInput(t *testing.T) {
	var usage *UsageError
	for _, req := range []RootRequest{
		{ChainFile: example("bing-2019.pem")},                        // no device
		{ChainFile: example("bing-2019.pem"), Device: "spwf04,wipy"}, // two devices
		{ChainFile: example("bing-2019.pem"), Device: "nosuch"},      // unknown device
		{ChainFile: "does-not-exist.pem", Device: "wipy"},            // unreadable
		{Device: "wipy"}, // nothing to read
		{ChainFile: example("bing-2019.pem"), Target: "example.test", Device: "wipy"}, // both
	} {
		if _, err := ExportRoot(context.Background(), req); !errors.As(err, &usage) {
			t.Errorf("%+v: error %v, want a UsageError", req, err)
		}
	}
}

func TestRootWriteFileKeepsExisting(t *testing.T) {
	e, err := ExportRoot(context.Background(), RootRequest{ChainFile: example("bing-2019.pem"), Device: "spwf04"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst, err := e.WriteFile(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); sum(got) != baltimorePEMSHA256 || filepath.Base(dst) != baltimoreSKI+".ca" {
		t.Errorf("wrote %s with sha256 %s", dst, sum(got))
	}
	if err := os.WriteFile(dst, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	var usage *UsageError
	if _, err := e.WriteFile(dir, false); !errors.As(err, &usage) {
		t.Errorf("overwrite without force: %v, want a UsageError", err)
	}
	if got, _ := os.ReadFile(dst); string(got) != "keep me" {
		t.Error("existing file was overwritten without --force")
	}
	if _, err := e.WriteFile(dir, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); sum(got) != baltimorePEMSHA256 {
		t.Error("--force did not write the root")
	}
}

// A custom profile that extends a built-in device loads its root the
// built-in way: the steps and snippet are profile data it inherits.
func TestExportRootCustomProfileInheritsSteps(t *testing.T) {
	file := filepath.Join(t.TempDir(), "board.yaml")
	if err := os.WriteFile(file, []byte("id: our-board\nname: Our board\nextends: spwf04@1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	builtin, err := ExportRoot(ctx, RootRequest{ChainFile: example("bing-2019.pem"), Device: "spwf04@1.0"})
	if err != nil {
		t.Fatal(err)
	}
	custom, err := ExportRoot(ctx, RootRequest{ChainFile: example("bing-2019.pem"), Device: "our-board", ProfileFiles: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	if len(builtin.Steps) == 0 || !strings.Contains(builtin.Snippet, "AT+S.TLSCERT") {
		t.Fatalf("spwf04@1.0: %d steps, snippet %q", len(builtin.Steps), builtin.Snippet)
	}
	if strings.Join(custom.Steps, "\n") != strings.Join(builtin.Steps, "\n") || custom.Snippet != builtin.Snippet || custom.FileName != builtin.FileName {
		t.Errorf("our-board (extends spwf04@1.0): file %s, steps %q, snippet %q; want %s, %q, %q",
			custom.FileName, custom.Steps, custom.Snippet, builtin.FileName, builtin.Steps, builtin.Snippet)
	}
}
