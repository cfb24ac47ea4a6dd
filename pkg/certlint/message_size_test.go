package certlint

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/constraints"
)

// boundaryProfiles model the stack settings the issue measured: mbedTLS
// 2.28 with IN_CONTENT_LEN 4096 and wolfSSL 5.5 with MAX_CERTIFICATE_SZ
// 4096, each with a TLS 1.2 hello so certlint also dials as the device.
const boundaryProfiles = `
id: mbedtls-in4096
name: mbedTLS IN_CONTENT_LEN 4096
tls:
  versions: [tls1.2]
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
receive:
  max_handshake_message_bytes: 4096
  message_count: with-header
  reassembles_handshake: false
  max_record_bytes: 4096
---
id: wolfssl-maxcert4096
name: wolfSSL MAX_CERTIFICATE_SZ 4096
tls:
  versions: [tls1.2]
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
receive:
  max_handshake_message_bytes: 4096
  message_count: body
  reassembles_handshake: true
`

// chainOfSize returns a leaf and intermediate whose DER adds up to total
// bytes, by the length of one name in the leaf.
func chainOfSize(t *testing.T, inter *testpki.Cert, total int) testpki.Chain {
	t.Helper()
	n := 2000
	for try := 0; try < 20; try++ {
		name := strings.Repeat("a", n%60+1)
		for rest := n - len(name); rest > 0; rest -= 61 {
			name = strings.Repeat("b", min(rest, 60)) + "." + name
		}
		leaf := inter.Leaf(testpki.Spec{CN: "boundary.test", DNSNames: []string{"boundary.test", name + ".test"}})
		got := len(leaf.DER) + len(inter.DER)
		if got == total {
			return testpki.Chain{leaf, inter}
		}
		n += total - got
	}
	t.Fatalf("no chain of %d DER bytes", total)
	return nil
}

// TestMessageSizeAtTheBoundaryLive serves leaf + intermediate chains of
// exactly the DER sizes where the real stacks flip (mbedTLS: 4,083 pass,
// 4,084 fail; wolfSSL: 4,087 pass, 4,088 fail) from a TLS 1.2 server on
// 127.0.0.1, and checks that certlint's verdicts flip at the same bytes
// through the whole live path: the record tap, the device's own dial, the
// check.
func TestMessageSizeAtTheBoundaryLive(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, doc := range strings.Split(boundaryProfiles, "---\n") {
		f := filepath.Join(dir, "p"+strconv.Itoa(i)+".yaml")
		if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	root := testpki.Root(testpki.Spec{CN: "Boundary Root"})
	inter := root.Intermediate(testpki.Spec{CN: "Boundary CA"})
	for _, tt := range []struct {
		der            int
		mbedtls, wolfs constraints.Severity
	}{
		{4083, constraints.Pass, constraints.Pass},
		{4084, constraints.Fail, constraints.Pass},
		{4087, constraints.Fail, constraints.Pass},
		{4088, constraints.Fail, constraints.Fail},
	} {
		t.Run(strconv.Itoa(tt.der)+" DER bytes", func(t *testing.T) {
			served := chainOfSize(t, inter, tt.der)
			addr := testpki.Serve(t, &tls.Config{Certificates: []tls.Certificate{served.TLSCertificate()}, MaxVersion: tls.VersionTLS12})
			rep, err := Check(context.Background(), Request{Targets: []string{addr}, ServerName: "boundary.test",
				Devices: []string{"mbedtls-in4096", "wolfssl-maxcert4096"}, ProfileFiles: files})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Reports) != 1 || rep.Reports[0].Error != "" {
				t.Fatalf("report: %+v", rep.Reports)
			}
			want := map[string]constraints.Severity{"mbedtls-in4096": tt.mbedtls, "wolfssl-maxcert4096": tt.wolfs}
			for _, d := range rep.Reports[0].Devices {
				worst, observed := constraints.Pass, false
				for _, f := range d.Findings {
					if f.Check != "message-size" {
						continue
					}
					if f.Severity == constraints.Fail || f.Severity == constraints.Warn && worst != constraints.Fail {
						worst = f.Severity
					}
					observed = observed || strings.Contains(f.Message, "as the server sent it")
				}
				if worst != want[d.Device] {
					t.Errorf("%s: message-size %s, want %s", d.Device, worst, want[d.Device])
				}
				if d.Device == "mbedtls-in4096" && !observed {
					t.Errorf("%s: the records were not observed", d.Device)
				}
			}
		})
	}
}
