package chain

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/certlint/certlint/internal/testpki"
)

// This file builds packet captures at test time: a real handshake with an
// in-process crypto/tls server over net.Pipe, recorded byte for byte in
// both directions, cut into TCP segments and written with pcapgo.

// capEvent is one write on the recorded connection.
type capEvent struct {
	fromClient bool
	data       []byte
}

// recordingConn is the client's end of the pipe; it records what the
// client writes and what it reads, in order.
type recordingConn struct {
	net.Conn
	mu     sync.Mutex
	events []capEvent
}

func (c *recordingConn) record(fromClient bool, p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, capEvent{fromClient, append([]byte(nil), p...)})
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.record(false, p[:n])
	}
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.record(true, p)
	return c.Conn.Write(p)
}

// recordTestHandshake runs one handshake between crypto/tls peers limited to
// maxVersion and returns the bytes both ways and the suite agreed.
func recordTestHandshake(t testing.TB, served testpki.Chain, sni string, maxVersion uint16) ([]capEvent, uint16) {
	t.Helper()
	return recordMutualHandshake(t, served, sni, maxVersion, tls.NoClientCert)
}

// recordMutualHandshake is recordTestHandshake with a server that asks for a
// client certificate as auth says; the client has none, and a server that
// requires one ends the handshake, which is then not a test failure.
func recordMutualHandshake(t testing.TB, served testpki.Chain, sni string, maxVersion uint16, auth tls.ClientAuthType) ([]capEvent, uint16) {
	t.Helper()
	clientSide, serverSide := net.Pipe()
	deadline := time.Now().Add(20 * time.Second)
	_ = clientSide.SetDeadline(deadline)
	_ = serverSide.SetDeadline(deadline)
	rec := &recordingConn{Conn: clientSide}
	server := tls.Server(serverSide, &tls.Config{Certificates: []tls.Certificate{served.TLSCertificate()}, MaxVersion: maxVersion, ClientAuth: auth})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Handshake() // in TLS 1.3 it fails writing tickets to a closed pipe; the client's view is what counts
		serverSide.Close()
	}()
	client := tls.Client(rec, &tls.Config{ServerName: sni, InsecureSkipVerify: true, MaxVersion: maxVersion})
	if err := client.Handshake(); err != nil && auth != tls.RequireAnyClientCert {
		t.Fatalf("test handshake: %v", err)
	}
	suite := client.ConnectionState().CipherSuite
	clientSide.Close()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.events, suite
}

// refragment re-cuts every plaintext handshake record into records of at
// most size bytes, so handshake messages span records as some stacks send
// them. Records after ChangeCipherSpec are kept as they are.
func refragment(events []capEvent, size int) []capEvent {
	var out []capEvent
	for _, fromClient := range []bool{true, false} {
		var stream []byte
		for _, e := range events {
			if e.fromClient == fromClient {
				stream = append(stream, e.data...)
			}
		}
		var cut []byte
		encrypted := false
		for len(stream) >= 5 {
			n := int(binary.BigEndian.Uint16(stream[3:5]))
			rec, body := stream[:5+n], stream[5:5+n]
			stream = stream[5+n:]
			if encrypted || rec[0] != recordHandshake {
				encrypted = encrypted || rec[0] == recordChangeCipherSpec
				cut = append(cut, rec...)
				continue
			}
			for len(body) > 0 {
				k := min(size, len(body))
				cut = append(cut, rec[0], rec[1], rec[2], byte(k>>8), byte(k))
				cut = append(cut, body[:k]...)
				body = body[k:]
			}
		}
		out = append(out, capEvent{fromClient, cut})
	}
	return out
}

// tcpPacket is one TCP segment of a generated flow.
type tcpPacket struct {
	fromClient bool
	syn, ack   bool
	seq, acked uint32
	payload    []byte
}

// testFlow is one TCP connection to write into a capture.
type testFlow struct {
	client, server netip.AddrPort
	events         []capEvent
	mss            int // payload bytes per segment; default 536
}

// packets cuts the flow into a SYN, SYN-ACK, ACK and data segments.
func (f testFlow) packets() []tcpPacket {
	mss := f.mss
	if mss == 0 {
		mss = 536
	}
	cseq, sseq := uint32(0xfffff000), uint32(1000) // the client's sequence wraps around mid-stream
	pk := []tcpPacket{
		{fromClient: true, syn: true, seq: cseq},
		{syn: true, ack: true, seq: sseq, acked: cseq + 1},
		{fromClient: true, ack: true, seq: cseq + 1, acked: sseq + 1},
	}
	cseq, sseq = cseq+1, sseq+1
	for _, e := range f.events {
		for data := e.data; len(data) > 0; {
			k := min(mss, len(data))
			if e.fromClient {
				pk = append(pk, tcpPacket{fromClient: true, ack: true, seq: cseq, acked: sseq, payload: data[:k]})
				cseq += uint32(k)
			} else {
				pk = append(pk, tcpPacket{ack: true, seq: sseq, acked: cseq, payload: data[:k]})
				sseq += uint32(k)
			}
			data = data[k:]
		}
	}
	return pk
}

// linkKind is the link layer a generated capture uses.
type linkKind string

const (
	linkEthernet linkKind = "ethernet"
	linkRaw      linkKind = "raw"
	linkSLL      linkKind = "sll"
	linkSLL2     linkKind = "sll2"
)

var linkTypes = map[linkKind]layers.LinkType{
	linkEthernet: layers.LinkTypeEthernet, linkRaw: layers.LinkTypeRaw,
	linkSLL: layers.LinkTypeLinuxSLL, linkSLL2: layers.LinkTypeLinuxSLL2,
}

// frame serializes one segment as IP/TCP with the link header of kind.
func (f testFlow) frame(t testing.TB, p tcpPacket, kind linkKind) []byte {
	t.Helper()
	src, dst := f.server, f.client
	if p.fromClient {
		src, dst = f.client, f.server
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
		Seq: p.seq, Ack: p.acked, SYN: p.syn, ACK: p.ack, PSH: len(p.payload) > 0, Window: 65535}
	var ip gopacket.SerializableLayer
	ethType := layers.EthernetTypeIPv4
	if src.Addr().Is4() {
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	} else {
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip6)
		ip, ethType = ip6, layers.EthernetTypeIPv6
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	stack := []gopacket.SerializableLayer{ip, tcp, gopacket.Payload(p.payload)}
	if kind == linkEthernet {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: ethType}
		stack = append([]gopacket.SerializableLayer{eth}, stack...)
	}
	if err := gopacket.SerializeLayers(buf, opts, stack...); err != nil {
		t.Fatalf("serialize packet: %v", err)
	}
	pkt := buf.Bytes()
	proto := uint16(ethType)
	switch kind {
	case linkSLL: // packet type, ARPHRD_ETHER, address length, address (8), protocol
		hdr := []byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, byte(proto >> 8), byte(proto)}
		pkt = append(hdr, pkt...)
	case linkSLL2: // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address (8)
		hdr := []byte{byte(proto >> 8), byte(proto), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}
		pkt = append(hdr, pkt...)
	}
	return pkt
}

// captureOptions shapes a generated capture.
type captureOptions struct {
	ng   bool
	link linkKind
	// mangle may reorder, repeat or drop each flow's packets.
	mangle func([]tcpPacket) []tcpPacket
}

// captureBytes writes the flows, their packets interleaved one by one, as
// a pcap or pcapng file.
func captureBytes(t testing.TB, opts captureOptions, flows ...testFlow) []byte {
	t.Helper()
	if opts.link == "" {
		opts.link = linkEthernet
	}
	var buf bytes.Buffer
	if !opts.ng {
		w := pcapgo.NewWriter(&buf)
		if err := w.WriteFileHeader(65535, linkTypes[opts.link]); err != nil {
			t.Fatal(err)
		}
		writeFlows(t, opts, flows, w.WritePacket)
		return buf.Bytes()
	}
	w, err := pcapgo.NewNgWriter(&buf, linkTypes[opts.link])
	if err != nil {
		t.Fatal(err)
	}
	writeFlows(t, opts, flows, w.WritePacket)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFlows interleaves the flows' packets one by one into write.
func writeFlows(t testing.TB, opts captureOptions, flows []testFlow, write func(gopacket.CaptureInfo, []byte) error) {
	t.Helper()
	lists := make([][]tcpPacket, len(flows))
	for i, f := range flows {
		lists[i] = f.packets()
		if opts.mangle != nil {
			lists[i] = opts.mangle(lists[i])
		}
	}
	ts := time.Date(2019, 5, 3, 10, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		wrote := false
		for fi, f := range flows {
			if i >= len(lists[fi]) {
				continue
			}
			data := f.frame(t, lists[fi][i], opts.link)
			ts = ts.Add(time.Millisecond)
			if err := write(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, data); err != nil {
				t.Fatal(err)
			}
			wrote = true
		}
		if !wrote {
			return
		}
	}
}
