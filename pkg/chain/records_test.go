package chain_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
)

// certificateRecords is a Certificate message (TLS 1.2 framing) holding
// junk certificates of the given sizes, cut into records of recordSize.
func certificateRecords(sizes []int, recordSize int) []byte {
	list := 0
	for _, n := range sizes {
		list += 3 + n
	}
	msg := []byte{11, byte((list + 3) >> 16), byte((list + 3) >> 8), byte(list + 3), byte(list >> 16), byte(list >> 8), byte(list)}
	for i, n := range sizes {
		msg = append(msg, byte(n>>16), byte(n>>8), byte(n))
		for j := 0; j < n; j++ {
			msg = append(msg, byte(i+j))
		}
	}
	var out []byte
	for len(msg) > 0 {
		n := min(len(msg), recordSize)
		out = append(out, 22, 3, 3, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// certificateServer reads the ClientHello, sends wire and, like a real
// server waiting for the client's next flight, reads until the client
// hangs up (closing with unread data would reset the connection).
func certificateServer(t testing.TB, wire []byte) string {
	return rawServer(t, func(c net.Conn) {
		readRecord(c)
		_, _ = c.Write(wire)
		_, _ = io.Copy(io.Discard, c)
	})
}

// repeatSizes is n certificates of size bytes each.
func repeatSizes(n, size int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = size
	}
	return out
}

func TestFetchRecordsHowTheCertificateMessageWasSent(t *testing.T) {
	small := rsaChain("small.test")
	root := testpki.Root(testpki.Spec{CN: "certlint test root"})
	inter := root.Intermediate(testpki.Spec{CN: "certlint test intermediate"})
	// A leaf with enough names that the message passes 16,384 bytes, the
	// largest record: crypto/tls then sends it in two records.
	big := testpki.Chain{inter.Leaf(testpki.Spec{CN: "big.test", DNSNames: testpki.ManyNames("big.test", 600)}), inter}
	tests := []struct {
		name    string
		ch      testpki.Chain
		maxV    uint16
		records func(wire int) []int // nil: the records are not seen
	}{
		{"TLS 1.2, one record", small, tls.VersionTLS12, func(wire int) []int { return []int{wire} }},
		{"TLS 1.2, split at 16,384", big, tls.VersionTLS12, func(wire int) []int { return []int{16384, wire - 16384} }},
		{"TLS 1.3 encrypts it", small, tls.VersionTLS13, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := serveTLS(t, tt.ch, tls.VersionTLS12, tt.maxV)
			hs, certs, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "small.test")
			if err != nil {
				t.Fatal(err)
			}
			assertServed(t, certs, tt.ch)
			m := hs.Certificate
			want := chain.NewCertificateMessage(derSizes(tt.ch))
			if m == nil || m.Bytes != want.Bytes || m.Certs != len(tt.ch) || m.DERBytes != want.DERBytes {
				t.Fatalf("Handshake.Certificate = %+v, want %+v", m, want)
			}
			if tt.records == nil {
				if m.Records != nil {
					t.Fatalf("records %v, want none known (encrypted)", m.Records)
				}
				return
			}
			if got, wantRec := m.Records, tt.records(want.Bytes+4); !slices.Equal(got, wantRec) {
				t.Errorf("records %v, want %v", got, wantRec)
			}
		})
	}
}

func TestFetchReadsACertificateMessageLargerThanZcryptoTakes(t *testing.T) {
	// 70 certificates of 1,000 bytes (70,213 bytes, more than zcrypto's
	// 64 KiB) in 1,000-byte records.
	sizes := repeatSizes(70, 1000)
	addr := certificateServer(t, certificateRecords(sizes, 1000))
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "big.test")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(certs) != chain.MaxChainCerts || certs[63].DERBytes() != 1000 {
		t.Errorf("got %d certificates, want the first %d", len(certs), chain.MaxChainCerts)
	}
	m := hs.Certificate
	if m == nil || m.Certs != 70 || m.DERBytes != 70000 || m.Bytes != 3+70*1003 || len(m.Records) != 71 || m.Records[0] != 1000 || m.Records[70] != 217 {
		t.Fatalf("Handshake.Certificate = %+v", m)
	}
	if notes := strings.Join(hs.Notes, "\n"); !strings.Contains(notes, "70 certificates (70000 bytes); only the first 64") {
		t.Errorf("notes %q do not report the cap", hs.Notes)
	}
}

func TestFetchReadsA16MiBCertificateMessageInBoundedMemory(t *testing.T) {
	// The largest message TLS allows, well-formed: 1,048 certificates of
	// 16,000 bytes. certlint reads it all, keeps 1 MiB of it.
	sizes := repeatSizes(1048, 16000)
	wire := certificateRecords(sizes, 16384)
	addr := certificateServer(t, wire)
	host, port := splitAddr(t, addr)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hs, certs, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "huge.test")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 24<<20 {
		t.Errorf("Fetch allocated %d bytes for a 16 MiB message, want at most 24 MiB", alloc)
	}
	if m := hs.Certificate; m == nil || m.Certs != 1048 || m.Bytes != 3+1048*16003 {
		t.Fatalf("Handshake.Certificate = %+v", hs.Certificate)
	}
	if len(certs) != 64 {
		t.Errorf("kept %d certificates, want 64", len(certs))
	}
}

func TestFetchRefusesAMalformedLargeCertificateMessage(t *testing.T) {
	wire := certificateRecords(repeatSizes(70, 1000), 16384)
	wire[5+7+2] = 0xff // the first certificate's length now overruns the list
	host, port := splitAddr(t, certificateServer(t, wire))
	_, _, err := (&chain.Dialer{}).Fetch(context.Background(), host, port, "bad.test")
	if err == nil || !strings.Contains(err.Error(), "malformed Certificate message") {
		t.Fatalf("Fetch error %v, want a malformed Certificate message", err)
	}
}

func derSizes(ch testpki.Chain) []int {
	out := make([]int, len(ch))
	for i, c := range ch {
		out[i] = len(c.DER)
	}
	return out
}

func TestDialHelloReadsTheChainAfterZcryptoGivesUp(t *testing.T) {
	// The server picks TLS_RSA_WITH_RC4_128_MD5, which the CC3200 offers
	// and zcrypto cannot run: zcrypto stops after the ServerHello, and
	// certlint reads the Certificate message that follows from the records,
	// as the device would receive it (here in 1,000-byte records).
	wire := append(serverHello(0x0004), certificateRecords([]int{1500, 900}, 1000)...)
	host, port := splitAddr(t, certificateServer(t, wire))
	res := (&chain.Dialer{Timeout: 2 * time.Second}).DialHello(context.Background(), host, port, "", cc3200Spec)
	hs := res.Handshake
	if hs.Version != "TLS1.2" || hs.CipherSuite != "TLS_RSA_WITH_RC4_128_MD5" || hs.Error != "" {
		t.Errorf("handshake %+v: want the server's choice and no error (the server did its part)", hs)
	}
	if len(res.Chain) != 2 || res.Chain[0].DERBytes() != 1500 || res.Chain[1].DERBytes() != 900 {
		t.Fatalf("chain %v, want the two certificates sent", res.Chain)
	}
	if m := hs.Certificate; m == nil || !slices.Equal(m.Records, []int{1000, 1000, 413}) || m.Bytes != 3+1503+903 {
		t.Errorf("Handshake.Certificate = %+v, want 2,409 bytes (2,413 with the header) in records of 1,000 + 1,000 + 413", m)
	}
	if notes := strings.Join(hs.Notes, "\n"); !strings.Contains(notes, "stopped after the ServerHello") {
		t.Errorf("notes %q do not say certlint's TLS library stopped", hs.Notes)
	}
}
