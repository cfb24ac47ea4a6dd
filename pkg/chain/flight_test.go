package chain_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

// handshakeRecord is one handshake message of type typ in its own record.
func handshakeRecord(typ byte, body []byte) []byte {
	return handshakeRecordOf(handshakeMessage(typ, body))
}

// handshakeRecordOf is one TLS 1.2 handshake record carrying msgs.
func handshakeRecordOf(msgs []byte) []byte {
	return append([]byte{22, 3, 3, byte(len(msgs) >> 8), byte(len(msgs))}, msgs...)
}

// Message types and a suite the tests send.
const (
	msgServerKeyExchange  = 12
	msgCertificateRequest = 13
	msgServerHelloDone    = 14
	suiteECDHERSAAES128   = 0xc02f // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
)

// secp384r1KeyExchange is the start of an ECDHE ServerKeyExchange naming
// secp384r1; the rest (point, signature) is junk certlint never reads.
var secp384r1KeyExchange = []byte{3, 0x00, 0x18, 1, 4, 0xde, 0xad}

// flightServer sends wire after the ClientHello, then counts what the
// client sends before it hangs up, on the returned channel.
func flightServer(t *testing.T, wire []byte, stall time.Duration) (string, <-chan int64) {
	t.Helper()
	sent := make(chan int64, 1)
	addr := rawServer(t, func(c net.Conn) {
		readRecord(c)
		_, _ = c.Write(wire)
		time.Sleep(stall)
		n, _ := io.Copy(io.Discard, c)
		sent <- n
	})
	return addr, sent
}

func TestFetchEndsTLS12HandshakeAfterTheServersFirstFlight(t *testing.T) {
	// The certificates are junk and the key exchange cannot be completed:
	// had certlint handed them to its TLS library, it would have failed, or
	// answered with a key exchange of its own. It reads them with its own
	// record reader and hangs up without sending another byte.
	wire := serverHello(suiteECDHERSAAES128)
	wire = append(wire, certificateRecords([]int{700, 600}, 16384)...)
	wire = append(wire, handshakeRecord(msgServerKeyExchange, secp384r1KeyExchange)...)
	wire = append(wire, handshakeRecord(msgServerHelloDone, nil)...)
	addr, sent := flightServer(t, wire, 0)
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 2 * time.Second}).Fetch(context.Background(), host, port, "")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if hs.Version != "TLS1.2" || hs.CipherSuite != "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" || hs.Curve != "secp384r1" || hs.Error != "" {
		t.Errorf("handshake %+v: want TLS1.2, the suite, secp384r1 from the ServerKeyExchange and no error", *hs)
	}
	if len(certs) != 2 || certs[0].DERBytes() != 700 || certs[1].DERBytes() != 600 {
		t.Errorf("chain %v, want the two certificates sent", certs)
	}
	if m := hs.Certificate; m == nil || m.Certs != 2 {
		t.Errorf("Handshake.Certificate = %+v, want the message with 2 certificates", m)
	}
	if n := <-sent; n != 0 {
		t.Errorf("certlint sent %d bytes after its ClientHello, want none", n)
	}
}

func TestFetchRecordsAnAlertInTheServersFirstFlight(t *testing.T) {
	wire := serverHello(suiteECDHERSAAES128)
	wire = append(wire, certificateRecords([]int{700}, 16384)...)
	wire = append(wire, 21, 3, 3, 0, 2, 2, 40) // fatal handshake_failure
	addr, _ := flightServer(t, wire, 0)
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 2 * time.Second}).Fetch(context.Background(), host, port, "")
	if err != nil {
		t.Fatalf("Fetch: %v (the chain was served)", err)
	}
	if hs.Alert != "handshake_failure" || hs.Failure != chain.FailureAlert || hs.Version != "TLS1.2" || len(certs) != 1 {
		t.Errorf("handshake %+v, %d certs: want the alert after the ServerHello recorded and the chain kept", *hs, len(certs))
	}
}

func TestFetchKeepsTheChainOfAServerThatStallsAfterIt(t *testing.T) {
	wire := append(serverHello(suiteECDHERSAAES128), certificateRecords([]int{700, 600}, 16384)...)
	addr, _ := flightServer(t, wire, 3*time.Second)
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 500 * time.Millisecond}).Fetch(context.Background(), host, port, "")
	if err != nil {
		t.Fatalf("Fetch: %v (the chain was served)", err)
	}
	if hs.Failure != chain.FailureTimeout || len(certs) != 2 {
		t.Errorf("handshake %+v, %d certs: want a timeout with the chain kept", *hs, len(certs))
	}
}

// handshakeMessage is one handshake message of type typ, without a record.
func handshakeMessage(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func TestFetchReadsAFirstFlightPackedIntoOneRecord(t *testing.T) {
	// Some servers put every message of the flight in one record. certlint
	// hands zcrypto whole records, so zcrypto sees the whole flight (and
	// gives up on the junk ServerKeyExchange signature); the chain and the
	// server's choices still come from the records.
	ch := rsaChain("packed.test")
	var list []byte
	for _, c := range ch {
		list = append(list, byte(len(c.DER)>>16), byte(len(c.DER)>>8), byte(len(c.DER)))
		list = append(list, c.DER...)
	}
	certificate := append([]byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}, list...)
	hello := serverHello(suiteECDHERSAAES128)[9:] // the ServerHello body
	msgs := handshakeMessage(2, hello)
	msgs = append(msgs, handshakeMessage(11, certificate)...)
	msgs = append(msgs, handshakeMessage(msgServerKeyExchange, secp384r1KeyExchange)...)
	msgs = append(msgs, handshakeMessage(msgServerHelloDone, nil)...)
	wire := handshakeRecordOf(msgs)
	addr, _ := flightServer(t, wire, 0)
	host, port := splitAddr(t, addr)
	hs, certs, err := (&chain.Dialer{Timeout: 2 * time.Second}).Fetch(context.Background(), host, port, "")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if hs.Version != "TLS1.2" || hs.Curve != "secp384r1" || hs.Error != "" {
		t.Errorf("handshake %+v: want TLS1.2 with secp384r1 and no server-side error", *hs)
	}
	assertServed(t, certs, ch)
	if m := hs.Certificate; m == nil || m.Certs != 3 || len(m.Records) != 1 {
		t.Errorf("Handshake.Certificate = %+v, want 3 certificates in one record", m)
	}
}
