package chain

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// bingSizes are the DER sizes openssl reports for testdata/bing-2019.* in
// served order (www.bing.com leaf, Microsoft IT TLS CA 2).
var bingSizes = []int{3582, 1464}

func TestParseChainFormats(t *testing.T) {
	pemData := readTestdata(t, "bing-2019.pem")
	derData := readTestdata(t, "bing-2019.der")
	leafOnly, _ := pem.Decode(pemData)

	// A TRUSTED CERTIFICATE is the certificate followed by OpenSSL's
	// trust settings (here an empty SEQUENCE).
	trusted := pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, leafOnly.Bytes...), 0x30, 0x00)})
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	mixed := append([]byte("subject=CN = www.bing.com\r\nissuer=whatever\r\n"), key...)
	mixed = append(mixed, bytes.ReplaceAll(pemData, []byte("\n"), []byte("\r\n"))...)
	mixed = append(mixed, []byte("trailing notes\n")...)

	// The seed-001 forum paste has a blank line after every base64 line.
	blankLines := bytes.ReplaceAll(pemData, []byte("\n"), []byte("\n\n"))

	tests := []struct {
		name  string
		data  []byte
		sizes []int
	}{
		{"pem", pemData, bingSizes},
		{"der concatenated", derData, bingSizes},
		{"pkcs7 pem", readTestdata(t, "bing-2019.p7b"), bingSizes},
		{"pkcs7 der", readTestdata(t, "bing-2019.p7b.der"), bingSizes},
		{"crlf, leading text, other blocks", mixed, bingSizes},
		{"blank lines inside base64", blankLines, bingSizes},
		{"trusted certificate", trusted, bingSizes[:1]},
		{"single der", readTestdata(t, "baltimore.der"), []int{891}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParseChain(tt.data)
			if err != nil {
				t.Fatalf("ParseChain: %v", err)
			}
			if len(certs) != len(tt.sizes) {
				t.Fatalf("got %d certificates, want %d", len(certs), len(tt.sizes))
			}
			for i, c := range certs {
				if c.DERBytes() != tt.sizes[i] {
					t.Errorf("cert %d: %d bytes, want %d", i, c.DERBytes(), tt.sizes[i])
				}
				if c.Index != i || c.Source != SourceServed {
					t.Errorf("cert %d: Index %d Source %q", i, c.Index, c.Source)
				}
				if c.Parsed == nil {
					t.Errorf("cert %d: not parsed: %s", i, c.ParseError)
				}
			}
		})
	}
}

func TestParseChainErrors(t *testing.T) {
	der := readTestdata(t, "bing-2019.der")
	small := readTestdata(t, "baltimore.der")
	smallPEM := readTestdata(t, "baltimore.pem")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"whitespace", []byte(" \n\t\n"), "empty input"},
		{"garbage text", []byte("hello, this is not a certificate"), "not PEM, and not DER"},
		{"pem without certificates", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), "no certificates found"},
		{"pem missing end", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"), "no block could be decoded"},
		{"truncated der", der[:len(der)-100], "truncated"},
		{"truncated second der", der[:3582+10], "certificate #1"},
		{"too many der", bytes.Repeat(small, MaxChainCerts+1), "at most 64"},
		{"too many pem", bytes.Repeat(smallPEM, MaxChainCerts+1), "at most 64"},
		{"too large", make([]byte, MaxChainInputBytes+1), "at most 16777216 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParseChain(tt.data)
			if err == nil {
				t.Fatalf("ParseChain returned %d certificates and no error", len(certs))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseChainKeepsUnparseableCertificate(t *testing.T) {
	// A SEQUENCE that is not a certificate: kept, with its size and error.
	bogus := []byte{0x30, 0x03, 0x02, 0x01, 0x05}
	data := append(readTestdata(t, "baltimore.der"), bogus...)
	certs, err := ParseChain(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 {
		t.Fatalf("got %d certificates, want 2", len(certs))
	}
	if certs[1].Parsed != nil || certs[1].ParseError == "" || certs[1].DERBytes() != len(bogus) {
		t.Errorf("unparseable certificate: Parsed %v, ParseError %q, %d bytes", certs[1].Parsed, certs[1].ParseError, certs[1].DERBytes())
	}
}

func TestParseChainTestPKIOrder(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "load-root"})
	inter := root.Intermediate(testpki.Spec{CN: "load-inter"})
	leaf := inter.Leaf(testpki.Spec{CN: "load.example", DNSNames: []string{"load.example"}})
	chain := testpki.Chain{leaf, inter, root}
	for name, data := range map[string][]byte{"pem": chain.PEM(), "der": chain.DER()} {
		certs, err := ParseChain(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []string{"load.example", "load-inter", "load-root"}
		for i, c := range certs {
			if c.CommonName != want[i] {
				t.Errorf("%s: cert %d is %q, want %q", name, i, c.CommonName, want[i])
			}
		}
	}
}

func TestLoadChainFile(t *testing.T) {
	certs, err := LoadChainFile(filepath.Join("testdata", "bing-2019.pem"), nil)
	if err != nil || len(certs) != 2 {
		t.Fatalf("file: %d certs, %v", len(certs), err)
	}
	certs, err = LoadChainFile("-", bytes.NewReader(readTestdata(t, "bing-2019.p7b.der")))
	if err != nil || len(certs) != 2 {
		t.Fatalf("stdin: %d certs, %v", len(certs), err)
	}
	missing := filepath.Join(t.TempDir(), "nope.pem")
	if _, err := LoadChainFile(missing, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v does not name the path", err)
	}
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadChainFile(notes, nil); err == nil || !strings.Contains(err.Error(), notes) {
		t.Errorf("text file: error %v does not name the path", err)
	}
	_, err = LoadChainFile("-", bytes.NewReader(make([]byte, MaxChainInputBytes+10)))
	if err == nil || !strings.Contains(err.Error(), "stdin") {
		t.Errorf("oversized stdin: error %v", err)
	}
	if _, err := LoadChainFile("-", bytes.NewReader(nil)); err == nil || !strings.Contains(err.Error(), "empty input") {
		t.Errorf("empty stdin: error %v", err)
	}
	keyOnly := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1}})
	if _, err := LoadChainFile("-", bytes.NewReader(keyOnly)); !errors.Is(err, ErrNoCertificates) {
		t.Errorf("key-only input: error %v is not ErrNoCertificates", err)
	}
}

// TestExampleChainMatchesOpenSSL checks the README example against the
// facts openssl reports for it (see examples/README.md).
func TestExampleChainMatchesOpenSSL(t *testing.T) {
	certs, err := LoadChainFile(filepath.Join("..", "..", "examples", "bing-2019.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		cn   string
		der  int
		bits int
		ski  string
		aki  string
	}{
		{"www.bing.com", 3582, 2048, "3707b59b7c1e429244ef044e24e408b8b107d3da", "919e3b446c3d579c42772a34d74fd1cc4a972cda"},
		{"Microsoft IT TLS CA 2", 1464, 4096, "919e3b446c3d579c42772a34d74fd1cc4a972cda", "e59d5930824758ccacfa085436867b3ab5044df0"},
	}
	if len(certs) != len(want) {
		t.Fatalf("got %d certificates, want %d", len(certs), len(want))
	}
	for i, w := range want {
		c := certs[i]
		if c.CommonName != w.cn || c.DERBytes() != w.der || c.KeyBits != w.bits || c.KeyType != "rsa" || c.SKIHex() != w.ski || c.AKIHex() != w.aki {
			t.Errorf("cert %d: CN %q, %d bytes, %s-%d, SKI %s, AKI %s; want %+v", i, c.CommonName, c.DERBytes(), c.KeyType, c.KeyBits, c.SKIHex(), c.AKIHex(), w)
		}
	}
	root, err := LoadChainFile(filepath.Join("..", "..", "examples", "BaltimoreCyberTrustRoot.crt.der"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := root[0]; r.DERBytes() != 891 || r.SKIHex() != "e59d5930824758ccacfa085436867b3ab5044df0" || !r.SelfSigned || r.SignatureHash != "sha1" {
		t.Errorf("Baltimore: %d bytes, SKI %s, self-signed %v, hash %s", r.DERBytes(), r.SKIHex(), r.SelfSigned, r.SignatureHash)
	}
}
