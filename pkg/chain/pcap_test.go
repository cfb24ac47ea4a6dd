package chain

import (
	"bytes"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

var updatePcap = flag.Bool("update-pcap", false, "rewrite the checked-in captures under testdata/")

// pcapPKI is the chains the capture tests serve. Long validity keeps the
// checked-in captures valid for years; the CLI stories pass --at anyway.
type pcapPKI struct {
	root          *testpki.Cert
	small, bigSet testpki.Chain
}

var (
	pcapPKIOnce sync.Once
	pcapPKISet  *pcapPKI
)

func pcapChains() *pcapPKI {
	pcapPKIOnce.Do(func() {
		from, to := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
		root := testpki.Root(testpki.Spec{CN: "certlint Capture Root", NotBefore: from, NotAfter: to})
		inter := root.Intermediate(testpki.Spec{CN: "certlint Capture CA", NotBefore: from, NotAfter: to})
		small := inter.Leaf(testpki.Spec{CN: "device.test", DNSNames: []string{"device.test"}, NotBefore: from, NotAfter: to})
		big := inter.Leaf(testpki.Spec{CN: "*.table.core.test", DNSNames: testpki.ManyNames("prax47.table.core.test", 120), NotBefore: from, NotAfter: to})
		pcapPKISet = &pcapPKI{root: root, small: testpki.Chain{small, inter}, bigSet: testpki.Chain{big, inter}}
	})
	return pcapPKISet
}

var (
	clientAddr  = netip.MustParseAddrPort("192.0.2.10:50123")
	serverAddr  = netip.MustParseAddrPort("198.51.100.7:443")
	client6Addr = netip.MustParseAddrPort("[2001:db8::10]:50124")
	server6Addr = netip.MustParseAddrPort("[2001:db8::7]:8883")
)

// assertChain checks that the captured chain is the served one, byte for
// byte, in served order.
func assertChain(t *testing.T, got []*Cert, want testpki.Chain) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("captured %d certificates, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Raw, want[i].DER) {
			t.Errorf("certificate %d differs from the one served", i)
		}
		if got[i].Index != i || got[i].Source != SourceServed || got[i].Parsed == nil {
			t.Errorf("certificate %d: index %d source %s parsed %v", i, got[i].Index, got[i].Source, got[i].Parsed != nil)
		}
	}
}

func readOne(t *testing.T, data []byte) CapturedHandshake {
	t.Helper()
	hs, err := ReadPcap(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadPcap: %v", err)
	}
	if len(hs) != 1 {
		t.Fatalf("got %d handshakes, want 1", len(hs))
	}
	return hs[0]
}

func TestReadPcapTLS12(t *testing.T) {
	k := pcapChains()
	events, suite := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS12)
	got := readOne(t, captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events}))
	if got.Client != clientAddr.String() || got.Server != serverAddr.String() {
		t.Errorf("client %s server %s, want %s %s", got.Client, got.Server, clientAddr, serverAddr)
	}
	if got.ServerName != "device.test" {
		t.Errorf("server name %q, want device.test", got.ServerName)
	}
	if got.Handshake.Version != "TLS1.2" || got.Handshake.CipherSuite != tls.CipherSuiteName(suite) {
		t.Errorf("handshake %+v, want TLS1.2 %s", got.Handshake, tls.CipherSuiteName(suite))
	}
	if got.Handshake.Curve == "" && strings.Contains(got.Handshake.CipherSuite, "ECDHE") {
		t.Errorf("ECDHE suite %s without a curve", got.Handshake.CipherSuite)
	}
	if got.Note != "" {
		t.Errorf("unexpected note %q", got.Note)
	}
	if addr, port := got.ServerAddrPort(); addr != "198.51.100.7" || port != 443 {
		t.Errorf("ServerAddrPort = %s %d", addr, port)
	}
	assertChain(t, got.Chain, k.small)
	// The records that carried the Certificate message, as captured:
	// crypto/tls sends a message this small in one record.
	want := 3
	for _, c := range k.small {
		want += 3 + len(c.DER)
	}
	if m := got.Handshake.Certificate; m == nil || m.Bytes != want || len(m.Records) != 1 || m.Records[0] != want+4 {
		t.Errorf("Handshake.Certificate = %+v, want %d bytes in one record", m, want)
	}
}

// TestReadPcapLinkLayers reads the same handshake through every link layer
// and file format certlint supports, over IPv4 and IPv6.
func TestReadPcapLinkLayers(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	for _, ng := range []bool{false, true} {
		for _, link := range []linkKind{linkEthernet, linkRaw, linkSLL, linkSLL2} {
			for _, v6 := range []bool{false, true} {
				name := fmt.Sprintf("ng=%v/%s/ipv6=%v", ng, link, v6)
				t.Run(name, func(t *testing.T) {
					f := testFlow{client: clientAddr, server: serverAddr, events: events}
					if v6 {
						f.client, f.server = client6Addr, server6Addr
					}
					got := readOne(t, captureBytes(t, captureOptions{ng: ng, link: link}, f))
					if got.Server != f.server.String() || got.ServerName != "prax47.table.core.test" {
						t.Errorf("server %s name %q", got.Server, got.ServerName)
					}
					assertChain(t, got.Chain, k.bigSet)
				})
			}
		}
	}
}

// TestReadPcapReassembly covers what real captures do to a stream:
// handshake messages spread over many small records, segments out of
// order, retransmitted, and overlapping.
func TestReadPcapReassembly(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	events = refragment(events, 300)
	mangles := map[string]func([]tcpPacket) []tcpPacket{
		"reversed data": func(p []tcpPacket) []tcpPacket {
			out := append([]tcpPacket(nil), p[:3]...)
			for i := len(p) - 1; i >= 3; i-- {
				out = append(out, p[i])
			}
			return out
		},
		"every segment twice": func(p []tcpPacket) []tcpPacket {
			var out []tcpPacket
			for _, x := range p {
				out = append(out, x, x)
			}
			return out
		},
		"overlapping retransmission": func(p []tcpPacket) []tcpPacket {
			var out []tcpPacket
			for i, x := range p {
				out = append(out, x)
				if i+1 < len(p) && len(x.payload) > 10 && len(p[i+1].payload) > 10 && x.fromClient == p[i+1].fromClient {
					// a resend covering the end of this segment and the start of the next
					joined := append(append([]byte(nil), x.payload[5:]...), p[i+1].payload[:5]...)
					out = append(out, tcpPacket{fromClient: x.fromClient, ack: true, seq: x.seq + 5, payload: joined})
				}
			}
			return out
		},
		"no SYN": func(p []tcpPacket) []tcpPacket {
			out := append([]tcpPacket(nil), p[3:]...)
			out[0], out[1] = out[1], out[0]
			return out
		},
	}
	for name, mangle := range mangles {
		t.Run(name, func(t *testing.T) {
			data := captureBytes(t, captureOptions{mangle: mangle, ng: true}, testFlow{client: clientAddr, server: serverAddr, events: events, mss: 700})
			got := readOne(t, data)
			if got.Note != "" {
				t.Errorf("note %q", got.Note)
			}
			assertChain(t, got.Chain, k.bigSet)
		})
	}
}

// TestReadPcapSeveralHandshakes gives one result per connection, in the
// order the connections start, each with its own name and chain.
func TestReadPcapSeveralHandshakes(t *testing.T) {
	k := pcapChains()
	small, _ := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS12)
	big, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	other := netip.MustParseAddrPort("192.0.2.10:50200")
	data := captureBytes(t, captureOptions{}, testFlow{client: other, server: serverAddr, events: big}, testFlow{client: clientAddr, server: serverAddr, events: small})
	hs, err := ReadPcap(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 {
		t.Fatalf("got %d handshakes, want 2", len(hs))
	}
	if hs[0].Client != other.String() || hs[0].ServerName != "prax47.table.core.test" || hs[1].ServerName != "device.test" {
		t.Errorf("handshakes: %s %q, %s %q", hs[0].Client, hs[0].ServerName, hs[1].Client, hs[1].ServerName)
	}
	assertChain(t, hs[0].Chain, k.bigSet)
	assertChain(t, hs[1].Chain, k.small)
}

func TestReadPcapTLS13SaysEncrypted(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS13)
	got := readOne(t, captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events}))
	if got.Handshake.Version != "TLS1.3" || len(got.Chain) != 0 || !strings.Contains(got.Note, "encrypted") {
		t.Errorf("TLS 1.3: version %q, %d certificates, note %q", got.Handshake.Version, len(got.Chain), got.Note)
	}
}

// TestReadPcapMissingPackets: a capture that lost a segment of the
// Certificate message says so instead of inventing a chain.
func TestReadPcapMissingPackets(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	dropped := false
	drop := func(p []tcpPacket) []tcpPacket {
		var out []tcpPacket
		serverData := 0
		for _, x := range p {
			if !x.fromClient && len(x.payload) > 0 {
				serverData++
				if serverData == 4 {
					dropped = true
					continue
				}
			}
			out = append(out, x)
		}
		return out
	}
	got := readOne(t, captureBytes(t, captureOptions{mangle: drop}, testFlow{client: clientAddr, server: serverAddr, events: events}))
	if !dropped {
		t.Fatal("test did not drop a segment")
	}
	if len(got.Chain) != 0 || !strings.Contains(got.Note, "misses packets") {
		t.Errorf("chain of %d, note %q; want no chain and a note on the gap", len(got.Chain), got.Note)
	}
}

func TestReadPcapBadInput(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	good := captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events})
	http := []capEvent{{true, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}, {false, []byte("HTTP/1.1 200 OK\r\n\r\n")}}
	cases := []struct {
		name string
		data []byte
		is   error
		msg  string
	}{
		{"empty", nil, ErrNotPcap, "only 0 bytes"},
		{"PEM", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), ErrNotPcap, "pcap or pcapng"},
		{"header only", good[:24], ErrNoTLS, "0 packets"},
		{"truncated before the ServerHello", good[:400], ErrNoTLS, "truncated"},
		{"plain HTTP", captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: http}), ErrNoTLS, "1 connections"},
		{"damaged pcapng", append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, bytes.Repeat([]byte{0xff}, 40)...), nil, "pcapng"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs, err := ReadPcap(bytes.NewReader(c.data))
			if err == nil {
				t.Fatalf("no error; %d handshakes", len(hs))
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q is not %q", err, c.is)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q lacks %q", err, c.msg)
			}
		})
	}
}

// TestReadPcapTruncatedMidCertificate reports the handshake whose
// Certificate message the cut fell into, without a chain and saying why.
func TestReadPcapTruncatedMidCertificate(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	data := captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events})
	got := readOne(t, data[:len(data)/2])
	if len(got.Chain) != 0 || !strings.Contains(got.Note, "truncated") || got.Handshake.Version != "TLS1.2" {
		t.Errorf("chain of %d, version %q, note %q", len(got.Chain), got.Handshake.Version, got.Note)
	}
}

// TestReadPcapTruncatedAfterHandshake keeps the handshake seen before the
// cut, with a note.
func TestReadPcapTruncatedAfterHandshake(t *testing.T) {
	k := pcapChains()
	events, _ := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS12)
	events = append(events, capEvent{false, bytes.Repeat([]byte{23, 3, 3, 0, 1, 0}, 50)})
	data := captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events})
	got := readOne(t, data[:len(data)-10])
	if !strings.Contains(got.Note, "truncated") {
		t.Errorf("note %q lacks truncated", got.Note)
	}
	assertChain(t, got.Chain, k.small)
}

func TestReadPcapStreamCap(t *testing.T) {
	syns := make([]testFlow, 0, MaxPcapStreams+1)
	for i := 0; i <= MaxPcapStreams; i++ {
		syns = append(syns, testFlow{client: netip.AddrPortFrom(clientAddr.Addr(), uint16(10000+i)), server: serverAddr})
	}
	only := func(p []tcpPacket) []tcpPacket { return p[:1] }
	_, err := ReadPcap(bytes.NewReader(captureBytes(t, captureOptions{mangle: only}, syns...)))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d TCP connections", MaxPcapStreams)) {
		t.Errorf("error %v, want the connection cap", err)
	}
}

// checkedInCaptures are the captures under testdata/ that the CLI stories
// use; TestCheckedInCaptures regenerates them with -update-pcap and
// otherwise checks that they still read as documented in testdata/README.md.
var checkedInCaptures = []string{"tls12-two-handshakes.pcapng", "tls13-only.pcapng", "no-tls.pcapng"}

func TestCheckedInCaptures(t *testing.T) {
	if *updatePcap {
		writeCheckedInCaptures(t)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "tls12-two-handshakes.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := ReadPcap(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].ServerName != "prax47.table.core.test" || hs[1].ServerName != "device.test" {
		t.Fatalf("tls12-two-handshakes.pcapng: %d handshakes", len(hs))
	}
	if hs[0].Chain[0].DERBytes() <= 2560 || hs[1].Chain[0].DERBytes() > 2560 || hs[0].Handshake.Version != "TLS1.2" {
		t.Errorf("leaf sizes %d and %d, version %s", hs[0].Chain[0].DERBytes(), hs[1].Chain[0].DERBytes(), hs[0].Handshake.Version)
	}
	for _, name := range checkedInCaptures[1:] {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		hs, err := ReadPcap(bytes.NewReader(data))
		switch name {
		case "tls13-only.pcapng":
			if err != nil || len(hs) != 1 || len(hs[0].Chain) != 0 || !strings.Contains(hs[0].Note, "encrypted") {
				t.Errorf("%s: %v %+v", name, err, hs)
			}
		case "no-tls.pcapng":
			if !errors.Is(err, ErrNoTLS) {
				t.Errorf("%s: error %v, want ErrNoTLS", name, err)
			}
		}
	}
}

func writeCheckedInCaptures(t *testing.T) {
	k := pcapChains()
	big, _ := recordTestHandshake(t, k.bigSet, "prax47.table.core.test", tls.VersionTLS12)
	small, _ := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS12)
	tls13, _ := recordTestHandshake(t, k.small, "device.test", tls.VersionTLS13)
	http := []capEvent{{true, []byte("GET / HTTP/1.1\r\nHost: device.test\r\n\r\n")}, {false, []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")}}
	other := netip.MustParseAddrPort("192.0.2.10:50200")
	files := map[string][]byte{
		"tls12-two-handshakes.pcapng": captureBytes(t, captureOptions{ng: true}, testFlow{client: other, server: serverAddr, events: big}, testFlow{client: clientAddr, server: serverAddr, events: small}),
		"tls13-only.pcapng":           captureBytes(t, captureOptions{ng: true}, testFlow{client: clientAddr, server: serverAddr, events: tls13}),
		"no-tls.pcapng":               captureBytes(t, captureOptions{ng: true}, testFlow{client: clientAddr, server: netip.MustParseAddrPort("198.51.100.7:80"), events: http}),
		"capture-root.pem":            k.root.PEM(),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadPcapChainPastTheCap: a captured chain longer than certlint's
// 64-certificate cap keeps the first 64, says so, and the Certificate
// message still counts all of them, with the records that carried it.
func TestReadPcapChainPastTheCap(t *testing.T) {
	k := pcapChains()
	served := append(testpki.Chain{}, k.small...)
	for len(served) < 70 {
		served = append(served, k.small[1])
	}
	events, _ := recordTestHandshake(t, served, "device.test", tls.VersionTLS12)
	got := readOne(t, captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events}))
	if len(got.Chain) != MaxChainCerts || !strings.Contains(got.Note, "the server sent 70 certificates; only the first 64 were examined") {
		t.Fatalf("chain of %d, note %q; want the first 64 and a note", len(got.Chain), got.Note)
	}
	if m := got.Handshake.Certificate; m == nil || m.Certs != 70 || len(m.Records) != 4 || m.Records[0] != 16384 {
		t.Errorf("Handshake.Certificate = %+v, want 70 certificates in 16,384-byte records", m)
	}
}

// TestReadPcapClientCertRequest: a TLS 1.2 capture shows the server's
// request for a client certificate; after a client's empty Certificate
// message, the server's alert shows it requires one, its ChangeCipherSpec
// that it goes on without one.
func TestReadPcapClientCertRequest(t *testing.T) {
	k := pcapChains()
	for _, tc := range []struct {
		auth   tls.ClientAuthType
		policy ClientCertPolicy
	}{
		{tls.RequireAnyClientCert, ClientCertRequired},
		{tls.RequestClientCert, ClientCertOptional},
		{tls.NoClientCert, ""},
	} {
		events, _ := recordMutualHandshake(t, k.small, "device.test", tls.VersionTLS12, tc.auth)
		got := readOne(t, captureBytes(t, captureOptions{}, testFlow{client: clientAddr, server: serverAddr, events: events}))
		assertChain(t, got.Chain, k.small)
		r := got.Handshake.ClientCert
		switch {
		case tc.policy == "" && r != nil:
			t.Errorf("%v: ClientCert %+v, want none", tc.auth, r)
		case tc.policy == "":
		case r == nil || r.Policy != tc.policy || r.Detail == "" || (r.Policy == ClientCertRequired) != (r.Alert != ""):
			t.Errorf("%v: ClientCert %+v, want policy %s", tc.auth, r, tc.policy)
		}
	}
}

func TestCapturedRequestNamesTheCAs(t *testing.T) {
	ca := testpki.Root(testpki.Spec{CN: "certlint device CA"})
	dn := ca.Cert.RawSubject
	body := []byte{1, 1, 0, 2, 4, 1} // rsa_sign; rsa_pkcs1_sha256
	body = append(body, byte((len(dn)+2)>>8), byte(len(dn)+2), byte(len(dn)>>8), byte(len(dn)))
	body = append(body, dn...)
	r := capturedRequest(body, true, flight{}, flight{})
	if want := NewCert(ca.DER).Subject; len(r.AcceptableCAs) != 1 || r.AcceptableCAs[0] != want || r.Policy != ClientCertUnknown {
		t.Errorf("capturedRequest = %+v, want the CA %q and an unknown policy", r, want)
	}
}
