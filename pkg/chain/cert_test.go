package chain

import (
	"fmt"
	"sync"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
)

// NewCert parses a certificate once per process (certMemo): the same bytes
// give a new Cert each time, which the caller may number and place,
// sharing the parse and the signature memo.
func TestNewCertMemo(t *testing.T) {
	leaf, inter, _, pki := testChain(t, "memo")
	der := append([]byte(nil), pki[0].DER...)
	a, b := NewCert(der), NewCert(der)
	if a == b || a.Parsed != b.Parsed || a.signatures != b.signatures || a.SHA256 != leaf.SHA256 {
		t.Fatalf("two Certs of the same bytes: distinct %v, shared parse %v, shared signature memo %v",
			a != b, a.Parsed == b.Parsed, a.signatures == b.signatures)
	}
	a.Index, a.Role, a.Source = 3, RoleUnused, SourceCAFile
	if c := NewCert(der); c.Index != 0 || c.Role != "" || c.Source != "" {
		t.Errorf("a caller's Index, Role and Source reached the memo: %+v", c)
	}
	// The memo keeps its own bytes: a caller reusing its buffer changes
	// nothing it remembers.
	der[len(der)-1] ^= 0xff
	if c := NewCert(pki[0].DER); c.Subject != leaf.Subject || string(c.Raw) != string(pki[0].DER) {
		t.Errorf("after the caller's buffer changed: %s", c.Subject)
	}
	// A signature checked for one copy is known to the others.
	if verifyLink(inter, a) != linkOK {
		t.Fatal("the intermediate does not verify the leaf")
	}
	b.signatures.mu.Lock()
	_, known := b.signatures.results[inter.SHA256]
	b.signatures.mu.Unlock()
	if !known {
		t.Error("the signature check of one copy is not remembered for another")
	}
}

// The memo stays bounded however many certificates a batch sees, and is
// safe for concurrent targets.
func TestNewCertMemoBounded(t *testing.T) {
	root := testpki.Root(testpki.Spec{CN: "memo-bound-root"})
	var ders [][]byte
	for i := 0; i < certMemoMax+20; i++ {
		ders = append(ders, root.Leaf(testpki.Spec{CN: fmt.Sprintf("memo%d.example", i), Key: "ecdsa256", KeySlot: "memo-bound"}).DER)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, der := range ders {
				if c := NewCert(der); c.Parsed == nil {
					t.Errorf("not parsed: %s", c.ParseError)
				}
			}
		}()
	}
	wg.Wait()
	certMemo.mu.Lock()
	n := len(certMemo.certs)
	certMemo.mu.Unlock()
	if n > certMemoMax {
		t.Errorf("the memo holds %d certificates, more than %d", n, certMemoMax)
	}
}
