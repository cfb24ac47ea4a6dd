package chain

import (
	"bytes"
	stdx509 "crypto/x509"
	"encoding/pem"
	"errors"
	"reflect"
	"testing"

	"github.com/weppos/publicsuffix-go/publicsuffix"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// storeDERs is every root the store indexes: the Mozilla bundle and the
// retired roots.
func storeDERs(t testing.TB) [][]byte {
	var ders [][]byte
	for r := range bundle.Roots() {
		ders = append(ders, r.Certificate)
	}
	rest := []byte(retiredRootsPEM)
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		ders = append(ders, block.Bytes)
	}
	if len(ders) < 100 {
		t.Fatalf("only %d roots in the store", len(ders))
	}
	return ders
}

// The DER walk that indexes the store must read the same subject and SKI
// as crypto/x509 for every root.
func TestReadNamesMatchesCryptoX509(t *testing.T) {
	withSKI := 0
	for i, der := range storeDERs(t) {
		want, err := stdx509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("root %d: %v", i, err)
		}
		names, ok := readNames(der)
		subject, ski := names.subject, names.ski
		if !bytes.Equal(names.spki, want.RawSubjectPublicKeyInfo) {
			t.Errorf("root %d (%s): SPKI %x, want %x", i, want.Subject, names.spki, want.RawSubjectPublicKeyInfo)
		}
		if !ok {
			t.Fatalf("root %d (%s): walk failed", i, want.Subject)
		}
		if !bytes.Equal(subject, want.RawSubject) {
			t.Errorf("root %d (%s): subject %x, want %x", i, want.Subject, subject, want.RawSubject)
		}
		if !bytes.Equal(ski, want.SubjectKeyId) {
			t.Errorf("root %d (%s): SKI %x, want %x", i, want.Subject, ski, want.SubjectKeyId)
		}
		if len(ski) > 0 {
			withSKI++
		}
	}
	if withSKI == 0 {
		t.Fatal("no root had an SKI: the extension walk reads nothing")
	}
}

func TestReadNamesRejectsJunk(t *testing.T) {
	ders := storeDERs(t)
	for _, in := range [][]byte{nil, {0x30}, {0x30, 0x03, 0x02, 0x01, 0x01}, ders[0][:len(ders[0])/2]} {
		if _, ok := readNames(in); ok {
			t.Errorf("readNames(%x) ok, want a failed walk", in)
		}
	}
}

func TestStoreEntryAndRetired(t *testing.T) {
	ders := storeDERs(t)
	baltimore := NewCert(ders[len(ders)-1])
	if !IsRetiredStoreRoot(baltimore) {
		t.Errorf("%s is not a retired store root", baltimore.Subject)
	}
	mozilla := NewCert(ders[0])
	if IsRetiredStoreRoot(mozilla) {
		t.Errorf("%s is a retired store root", mozilla.Subject)
	}
	got := FindStoreRoot(mozilla)
	if got == nil || got.SHA256 != mozilla.SHA256 || got.Source != SourceStore {
		t.Fatalf("FindStoreRoot(%s) = %+v, want its own store entry", mozilla.Subject, got)
	}
}

// BenchmarkIndexStore is the one-time cost of indexing the embedded roots.
func BenchmarkIndexStore(b *testing.B) {
	ders := storeDERs(b)
	for b.Loop() {
		s := NewAnchors()
		for _, der := range ders {
			s.AddDER(der, SourceStore, StoreName)
		}
	}
}

// The cipher-suite table reads only some first bytes; every suite zcrypto
// names must still be in it.
func TestSuiteHighBytesCoverZcrypto(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	full, fast := suiteTable(all), suiteTable(suiteHighBytes)
	if len(full) < 300 || !reflect.DeepEqual(full, fast) {
		t.Fatalf("the table of %v has %d suites, the full scan %d: add the missing first bytes", suiteHighBytes, len(fast), len(full))
	}
}

// go.mod replaces publicsuffix-go with a stand-in without the list (its
// init cost 1.2 ms a run); the zlint helpers that would read it must fail
// loudly, not answer wrongly.
func TestPublicSuffixNotLinked(t *testing.T) {
	parsed := *NewCert(storeDERs(t)[0]).Parsed // NewCert's parse is shared (certMemo)
	parsed.DNSNames = []string{"www.example.co.uk"}
	got := parsed.GetParsedDNSNames(true)
	if len(got) != 1 || !errors.Is(got[0].ParseError, publicsuffix.ErrNotLinked) {
		t.Fatalf("GetParsedDNSNames = %+v, want ErrNotLinked from the stand-in", got)
	}
}
