package chain

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/hostile"
	"github.com/certlint/certlint/internal/testpki"
)

// FuzzParseChain feeds arbitrary bytes to ParseChain, which reads files and
// pastes from strangers: it may refuse them, never panic, never return more
// than MaxChainCerts, and never take long (the slowest input seen while
// fuzzing took ~45 ms with coverage instrumentation on).
//
// Run it with a short -fuzzminimizetime (.ci/run uses 1s). The default is
// 60 s per new input, and minimizing a 5 KB certificate seed byte by byte
// with a signature check per attempt fills all of it: `go test -fuzz` then
// looks stalled (execs stop counting) although the workers run ~1,000
// inputs a second. That, not a slow input, was the "stall after 12 execs".
func FuzzParseChain(f *testing.F) {
	for _, name := range []string{"bing-2019.pem", "bing-2019.der", "bing-2019.p7b", "bing-2019.p7b.der", "baltimore.der"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n"))
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte("garbage \x00\xff"))
	if odd, err := hostile.NegativeSerialCert(); err == nil {
		f.Add(odd) // crypto/x509 refuses it, zcrypto reads it
	}
	f.Add(hostile.JunkCert())
	ec := testpki.Root(testpki.Spec{CN: "fuzz EC root", Key: "ecdsa256"})
	long := testpki.Chain{}
	for range MaxChainCerts + 1 {
		long = append(long, ec)
	}
	f.Add(long.DER()) // one over the cap
	// Parse the embedded root store before fuzzing: its lazy, once-only
	// parsing would otherwise show up as new coverage on the first input
	// that reaches it, and the fuzzer would chase that flake.
	for _, h := range StoreAnchors().all {
		h.Cert()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseChain(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificates")
		}
		if len(certs) > MaxChainCerts {
			t.Fatalf("%d certificates exceed the cap", len(certs))
		}
		for _, c := range certs {
			if c.Parsed == nil && c.ParseError == "" {
				t.Fatalf("certificate #%d neither parsed nor explained", c.Index)
			}
			_ = c.Label()
		}
		AssignRoles(certs)
		if len(certs) > 0 {
			_ = BuildPath(certs, LoadableAnchors(certs, nil), PathRules{Order: OrderAny, StopsAtFirstHeldIssuer: true}, time.Time{})
			_ = FindStoreRoot(certs[len(certs)-1])
		}
	})
}
