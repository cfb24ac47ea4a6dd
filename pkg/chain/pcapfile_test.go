package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
)

// The frames below are built byte by byte, independently of the gopacket
// writer the capture tests use (pcap_build_test.go).

var (
	v4a, v4b = [4]byte{192, 0, 2, 10}, [4]byte{198, 51, 100, 7}
	v6a, v6b = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x10}, [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x07}
)

// tcpBytes is a TCP header with optWords 32-bit words of options (NOPs),
// then the payload.
func tcpBytes(seq uint32, syn bool, optWords int, payload string) []byte {
	h := make([]byte, 20+4*optWords)
	binary.BigEndian.PutUint16(h[0:2], 50123)
	binary.BigEndian.PutUint16(h[2:4], 443)
	binary.BigEndian.PutUint32(h[4:8], seq)
	h[12] = byte(5+optWords) << 4
	h[13] = 0x10 // ACK
	if syn {
		h[13] |= 0x02
	}
	for i := 20; i < len(h); i++ {
		h[i] = 1 // NOP
	}
	return append(h, payload...)
}

// ipv4Bytes is an IPv4 header with optWords words of options, then body.
func ipv4Bytes(proto byte, fragment uint16, optWords int, body []byte) []byte {
	h := make([]byte, 20+4*optWords)
	h[0] = 0x40 | byte(5+optWords)
	binary.BigEndian.PutUint16(h[2:4], uint16(len(h)+len(body)))
	binary.BigEndian.PutUint16(h[6:8], fragment)
	h[8], h[9] = 64, proto
	copy(h[12:16], v4a[:])
	copy(h[16:20], v4b[:])
	return append(h, body...)
}

// ipv6Bytes is an IPv6 header, then body (extension headers included).
func ipv6Bytes(next byte, body []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:6], uint16(len(body)))
	h[6], h[7] = next, 64
	copy(h[8:24], v6a[:])
	copy(h[24:40], v6b[:])
	return append(h, body...)
}

// byteOrder writes and reads a capture's integers.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

var le, be byteOrder = binary.LittleEndian, binary.BigEndian

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// ethernet is an Ethernet II header of the type.
func ethernet(etherType uint16) []byte {
	return cat([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}, be16(etherType))
}

// vlan is an 802.1Q tag (VLAN 5) followed by the inner type.
func vlan(inner uint16) []byte { return cat(be16(5), be16(inner)) }

func TestDecodePacket(t *testing.T) {
	seg4 := tcpBytes(1000, false, 0, "hello")
	ip4 := ipv4Bytes(6, 0x4000, 0, seg4) // DF set: not a fragment
	ip6 := ipv6Bytes(6, tcpBytes(7, true, 0, ""))
	from4, to4 := netip.AddrPortFrom(netip.AddrFrom4(v4a), 50123), netip.AddrPortFrom(netip.AddrFrom4(v4b), 443)
	from6, to6 := netip.AddrPortFrom(netip.AddrFrom16(v6a), 50123), netip.AddrPortFrom(netip.AddrFrom16(v6b), 443)
	want4 := tcpSegment{from: from4, to: to4, seq: 1000, payload: []byte("hello")}
	want6 := tcpSegment{from: from6, to: to6, seq: 7, syn: true, payload: []byte{}}
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	sll := func(proto uint16) []byte { return cat([]byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, be16(proto)) }
	sll2 := func(proto uint16) []byte {
		return cat(be16(proto), []byte{0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0})
	}
	// IPv6 extension headers: hop-by-hop (8 bytes), an atomic fragment
	// header, an authentication header (12 bytes), then TCP.
	ext := cat([]byte{44, 0, 1, 4, 0, 0, 0, 0}, []byte{51, 0, 0, 0, 0, 0, 0, 1}, []byte{6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, tcpBytes(7, true, 0, ""))
	cases := []struct {
		name string
		link uint16
		data []byte
		want tcpSegment
		skip string
	}{
		{"ethernet IPv4", linkTypeEthernet, cat(ethernet(0x0800), ip4), want4, ""},
		{"ethernet IPv6", linkTypeEthernet, cat(ethernet(0x86dd), ip6), want6, ""},
		{"ethernet padding is not payload", linkTypeEthernet, cat(ethernet(0x0800), ipv4Bytes(6, 0, 0, tcpBytes(7, true, 0, "")), make([]byte, 6)),
			tcpSegment{from: from4, to: to4, seq: 7, syn: true, payload: []byte{}}, ""},
		{"IP and TCP options", linkTypeEthernet, cat(ethernet(0x0800), ipv4Bytes(6, 0, 2, tcpBytes(1000, false, 3, "hello"))), want4, ""},
		{"802.1Q", linkTypeEthernet, cat(ethernet(0x8100), vlan(0x0800), ip4), want4, ""},
		{"802.1ad and 802.1Q", linkTypeEthernet, cat(ethernet(0x88a8), vlan(0x8100), vlan(0x86dd), ip6), want6, ""},
		{"old QinQ tag", linkTypeEthernet, cat(ethernet(0x9100), vlan(0x0800), ip4), want4, ""},
		{"PPPoE", linkTypeEthernet, cat(ethernet(0x8864), []byte{0x11, 0, 0, 1, 0, 0}, be16(0x0021), ip4), want4, ""},
		{"MPLS", linkTypeEthernet, cat(ethernet(0x8847), []byte{0, 1, 0, 64, 0, 2, 1, 64}, ip6), want6, ""},
		{"Linux SLL", linkTypeSLL, cat(sll(0x0800), ip4), want4, ""},
		{"Linux SLL with a VLAN tag", linkTypeSLL, cat(sll(0x8100), vlan(0x86dd), ip6), want6, ""},
		{"Linux SLL2", linkTypeSLL2, cat(sll2(0x86dd), ip6), want6, ""},
		{"BSD loopback, little-endian host", linkTypeNull, cat(le32(2), ip4), want4, ""},
		{"BSD loopback, big-endian host", linkTypeNull, cat(be32(2), ip4), want4, ""},
		{"BSD loopback IPv6 (macOS)", linkTypeNull, cat(le32(30), ip6), want6, ""},
		{"BSD loopback IPv6 (Linux)", linkTypeNull, cat(le32(10), ip6), want6, ""},
		{"OpenBSD loopback IPv6", linkTypeLoop, cat(be32(24), ip6), want6, ""},
		{"FreeBSD loopback IPv6", linkTypeLoop, cat(be32(28), ip6), want6, ""},
		{"raw IPv4", linkTypeRaw, ip4, want4, ""},
		{"raw IPv6", linkTypeRaw, ip6, want6, ""},
		{"LINKTYPE_IPV4", linkTypeIPv4, ip4, want4, ""},
		{"LINKTYPE_IPV6", linkTypeIPv6, ip6, want6, ""},
		{"raw IP, BSD value 12", linkTypeRawBSD1, ip4, want4, ""},
		{"raw IP, BSD value 14", linkTypeRawBSD2, ip6, want6, ""},
		{"IPv6 extension headers", linkTypeRaw, ipv6Bytes(0, ext), want6, ""},
		{"IPv4 length 0 (segmentation offload)", linkTypeRaw, func() []byte { p := ipv4Bytes(6, 0, 0, seg4); p[2], p[3] = 0, 0; return p }(), want4, ""},
		{"IPv4 cut by the snapshot length", linkTypeRaw, ip4[:len(ip4)-2], tcpSegment{from: from4, to: to4, seq: 1000, payload: []byte("hel")}, ""},

		{"IPv4 first fragment", linkTypeRaw, ipv4Bytes(6, 0x2000, 0, seg4), tcpSegment{}, skipFragment},
		{"IPv4 later fragment", linkTypeRaw, ipv4Bytes(6, 0x0010, 0, seg4), tcpSegment{}, skipFragment},
		{"IPv6 fragment", linkTypeRaw, ipv6Bytes(44, cat([]byte{6, 0, 0, 1, 0, 0, 0, 1}, seg4)), tcpSegment{}, skipFragment},
		{"UDP", linkTypeRaw, ipv4Bytes(17, 0, 0, make([]byte, 8)), tcpSegment{}, skipNotTCP},
		{"ICMPv6", linkTypeRaw, ipv6Bytes(58, make([]byte, 8)), tcpSegment{}, skipNotTCP},
		{"ARP", linkTypeEthernet, cat(ethernet(0x0806), make([]byte, 28)), tcpSegment{}, skipNotIP},
		{"PPPoE, not IP", linkTypeEthernet, cat(ethernet(0x8864), []byte{0x11, 0, 0, 1, 0, 0}, be16(0xc021)), tcpSegment{}, skipNotIP},
		{"loopback, other family", linkTypeNull, cat(le32(7), ip4), tcpSegment{}, skipNotIP},
		{"raw, not IP", linkTypeRaw, []byte{0x50, 1, 2}, tcpSegment{}, skipNotIP},
		{"raw, empty", linkTypeRaw, nil, tcpSegment{}, skipNotIP},
		{"unknown link type", 147, ip4, tcpSegment{}, "link type 147"},

		{"short Ethernet", linkTypeEthernet, make([]byte, 13), tcpSegment{}, skipMalformed},
		{"short SLL", linkTypeSLL, make([]byte, 15), tcpSegment{}, skipMalformed},
		{"short SLL2", linkTypeSLL2, make([]byte, 19), tcpSegment{}, skipMalformed},
		{"short loopback", linkTypeNull, []byte{2, 0}, tcpSegment{}, skipMalformed},
		{"VLAN tag cut short", linkTypeEthernet, cat(ethernet(0x8100), []byte{0, 5}), tcpSegment{}, skipMalformed},
		{"nine VLAN tags", linkTypeEthernet, cat(ethernet(0x8100), bytes.Repeat(vlan(0x8100), 8), vlan(0x0800), ip4), tcpSegment{}, skipMalformed},
		{"MPLS without a bottom label", linkTypeEthernet, cat(ethernet(0x8847), []byte{0, 1, 0, 64}), tcpSegment{}, skipMalformed},
		{"IPv4 header cut short", linkTypeRaw, ip4[:19], tcpSegment{}, skipMalformed},
		{"IPv4 header length 16", linkTypeRaw, func() []byte { p := bytes.Clone(ip4); p[0] = 0x44; return p }(), tcpSegment{}, skipMalformed},
		{"IPv4 total length below its header", linkTypeRaw, func() []byte { p := bytes.Clone(ip4); p[2], p[3] = 0, 12; return p }(), tcpSegment{}, skipMalformed},
		{"IPv4 version 6 on an IPv4 type", linkTypeEthernet, cat(ethernet(0x0800), ip6), tcpSegment{}, skipMalformed},
		{"IPv6 header cut short", linkTypeRaw, ip6[:39], tcpSegment{}, skipMalformed},
		{"IPv6 extension header past the end", linkTypeRaw, ipv6Bytes(0, []byte{6, 4, 0, 0, 0, 0, 0, 0}), tcpSegment{}, skipMalformed},
		{"IPv6 extension header cut short", linkTypeRaw, ipv6Bytes(60, []byte{6, 0, 0}), tcpSegment{}, skipMalformed},
		{"TCP header cut short", linkTypeRaw, ipv4Bytes(6, 0, 0, seg4[:19]), tcpSegment{}, skipMalformed},
		{"TCP data offset past the end", linkTypeRaw, ipv4Bytes(6, 0, 0, func() []byte { s := bytes.Clone(seg4[:20]); s[12] = 0xf0; return s }()), tcpSegment{}, skipMalformed},
		{"TCP data offset below 20", linkTypeRaw, ipv4Bytes(6, 0, 0, func() []byte { s := bytes.Clone(seg4); s[12] = 0x40; return s }()), tcpSegment{}, skipMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, skip := decodePacket(c.link, c.data)
			if skip != c.skip {
				t.Fatalf("skip %q, want %q", skip, c.skip)
			}
			if skip != "" {
				return
			}
			if got.from != c.want.from || got.to != c.want.to || got.seq != c.want.seq || got.syn != c.want.syn || !bytes.Equal(got.payload, c.want.payload) {
				t.Errorf("got %v > %v seq %d syn %v payload %q\nwant %v > %v seq %d syn %v payload %q",
					got.from, got.to, got.seq, got.syn, got.payload, c.want.from, c.want.to, c.want.seq, c.want.syn, c.want.payload)
			}
		})
	}
}

// pcapBytes is a classic pcap file: the magic (microseconds or
// nanoseconds) in the byte order, then each packet with its record header.
func pcapBytes(order byteOrder, nano bool, link, snaplen uint32, packets ...[]byte) []byte {
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...) // time zone, accuracy
	b = order.AppendUint32(b, snaplen)
	b = order.AppendUint32(b, link)
	for i, p := range packets {
		b = order.AppendUint32(b, uint32(1556877600+i))
		b = order.AppendUint32(b, 0)
		b = order.AppendUint32(b, uint32(len(p)))
		b = order.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}

// ngBlock is one pcapng block: type, total length, body padded to 32
// bits, total length again.
func ngBlock(order byteOrder, typ uint32, body []byte) []byte {
	body = append(body, make([]byte, (4-len(body)%4)%4)...)
	b := order.AppendUint32(nil, typ)
	b = order.AppendUint32(b, uint32(12+len(body)))
	b = append(b, body...)
	return order.AppendUint32(b, uint32(12+len(body)))
}

func ngSection(order byteOrder) []byte {
	body := order.AppendUint32(nil, ngByteOrderMagic)
	body = order.AppendUint16(body, 1)
	body = order.AppendUint16(body, 0)
	body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) // section length unknown
	return ngBlock(order, ngBlockSection, body)
}

func ngInterface(order byteOrder, link uint16, snaplen uint32) []byte {
	body := order.AppendUint16(nil, link)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint32(body, snaplen)
	return ngBlock(order, ngBlockInterface, body)
}

func ngEnhanced(order byteOrder, iface uint32, data []byte) []byte {
	body := order.AppendUint32(nil, iface)
	body = order.AppendUint64(body, 0) // timestamp
	body = order.AppendUint32(body, uint32(len(data)))
	body = order.AppendUint32(body, uint32(len(data)))
	return ngBlock(order, ngBlockEnhanced, append(body, data...))
}

func ngObsolete(order byteOrder, iface uint16, data []byte) []byte {
	body := order.AppendUint16(nil, iface)
	body = order.AppendUint16(body, 0) // drops
	body = order.AppendUint64(body, 0)
	body = order.AppendUint32(body, uint32(len(data)))
	body = order.AppendUint32(body, uint32(len(data)))
	return ngBlock(order, ngBlockPacket, append(body, data...))
}

func ngSimple(order byteOrder, origlen uint32, data []byte) []byte {
	return ngBlock(order, ngBlockSimple, append(order.AppendUint32(nil, origlen), data...))
}

// capturedPacket is one packet as a packetSource returns it.
type capturedPacket struct {
	link uint16
	data string
}

// readAll reads every packet of a capture; err is the error that ended it
// (nil at a clean end).
func readAll(data []byte) ([]capturedPacket, error) {
	src, err := openCapture(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var out []capturedPacket
	for {
		p, link, err := src.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, capturedPacket{link, string(p)})
	}
}

func TestCaptureFormats(t *testing.T) {
	a, b, c := []byte("first packet"), []byte("second"), []byte("3rd")
	cases := []struct {
		name string
		file []byte
		want []capturedPacket
	}{
		{"pcap little-endian", pcapBytes(le, false, 1, 65535, a, b), []capturedPacket{{1, "first packet"}, {1, "second"}}},
		{"pcap big-endian", pcapBytes(be, false, 113, 65535, a), []capturedPacket{{113, "first packet"}}},
		{"pcap nanoseconds little-endian", pcapBytes(le, true, 101, 65535, a), []capturedPacket{{101, "first packet"}}},
		{"pcap nanoseconds big-endian", pcapBytes(be, true, 276, 65535, a), []capturedPacket{{276, "first packet"}}},
		{"pcap FCS bits above the link type", pcapBytes(le, false, 0x14000001, 65535, a), []capturedPacket{{1, "first packet"}}},
		{"pcap without packets", pcapBytes(le, false, 1, 65535), nil},
		{"pcapng little-endian", cat(ngSection(le), ngInterface(le, 1, 0), ngEnhanced(le, 0, a), ngEnhanced(le, 0, b)),
			[]capturedPacket{{1, "first packet"}, {1, "second"}}},
		{"pcapng big-endian", cat(ngSection(be), ngInterface(be, 113, 0), ngEnhanced(be, 0, c)), []capturedPacket{{113, "3rd"}}},
		{"pcapng interfaces of different link types", cat(ngSection(le), ngInterface(le, 1, 0), ngInterface(le, 276, 0),
			ngEnhanced(le, 1, a), ngEnhanced(le, 0, b)), []capturedPacket{{276, "first packet"}, {1, "second"}}},
		{"pcapng simple packet blocks", cat(ngSection(le), ngInterface(le, 101, 4), ngSimple(le, 6, b), ngSimple(le, 3, c)),
			[]capturedPacket{{101, "seco"}, {101, "3rd"}}},
		{"pcapng obsolete packet block", cat(ngSection(be), ngInterface(be, 0, 0), ngObsolete(be, 0, a)), []capturedPacket{{0, "first packet"}}},
		{"pcapng blocks certlint does not read", cat(ngSection(le), ngBlock(le, 4, []byte("names")), ngInterface(le, 1, 0),
			ngBlock(le, 5, make([]byte, 12)), ngEnhanced(le, 0, c), ngBlock(le, 0x40000bad, []byte("custom"))), []capturedPacket{{1, "3rd"}}},
		{"pcapng second section in the other byte order", cat(ngSection(le), ngInterface(le, 1, 0), ngEnhanced(le, 0, a),
			ngSection(be), ngInterface(be, 113, 0), ngEnhanced(be, 0, b)), []capturedPacket{{1, "first packet"}, {113, "second"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(tc.file)
			if err != nil {
				t.Fatalf("read: %v (after %d packets)", err, len(got))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d packets %+v, want %+v", len(got), got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("packet %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestCaptureFormatErrors: a damaged file is a clear error, at the header
// or after the packets read before the damage, never a panic or a huge
// allocation.
func TestCaptureFormatErrors(t *testing.T) {
	a := []byte("first packet")
	good := pcapBytes(le, false, 1, 65535, a)
	set := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		le.PutUint32(b[off:], v)
		return b
	}
	ng := cat(ngSection(le), ngInterface(le, 1, 0))
	cases := []struct {
		name    string
		file    []byte
		packets int // read before the error
		msg     string
	}{
		{"pcap header cut short", good[:20], 0, "pcap header: unexpected EOF"},
		{"pcap version 3", func() []byte { b := bytes.Clone(good); b[4] = 3; return b }(), 0, "pcap header: version 3.4"},
		{"pcap record header cut short", good[:30], 0, "packet header cut short"},
		{"pcap packet cut short", good[:len(good)-1], 0, "unexpected EOF"},
		{"pcap packet longer than captured", set(good, 24+12, 5), 0, "captured with 12 bytes of a 5-byte packet"},
		{"pcap packet past the snapshot length", set(set(good, 24+8, 1<<20), 24+12, 1<<20), 0, "more than the snapshot length"},
		{"pcap packet past any limit", set(set(set(good, 16, 1<<30), 24+8, 1<<30), 24+12, 1<<30), 0, "more than the snapshot length"},
		{"pcapng byte-order magic", func() []byte { b := cat(ng); b[8] = 0; return b }(), 0, "pcapng header: section header with byte-order magic"},
		{"pcapng version 2", func() []byte { b := cat(ng); b[12] = 2; return b }(), 0, "pcapng header: section version 2.0"},
		{"pcapng section header too short", cat(ngBlock(le, ngBlockSection, le.AppendUint32(nil, ngByteOrderMagic))), 0, "section header too short"},
		{"pcapng section header cut short", ng[:10], 0, "pcapng header: unexpected EOF"},
		{"pcapng block length not a multiple of 4", cat(ng, set(ngEnhanced(le, 0, a), 4, 45)), 0, "with length 45"},
		{"pcapng block length too short", cat(ng, set(ngEnhanced(le, 0, a), 4, 8)), 0, "with length 8"},
		{"pcapng block length of 4 GB", cat(ng, set(ngEnhanced(le, 0, a), 4, 0xfffffffc)), 0, "with length 4294967292"},
		{"pcapng block cut short", cat(ng, ngEnhanced(le, 0, a))[:len(ng)+20], 0, "unexpected EOF"},
		{"pcapng block header cut short", cat(ng, ngEnhanced(le, 0, a), []byte{6, 0}), 1, "block header cut short"},
		{"pcapng packet on an undescribed interface", cat(ng, ngEnhanced(le, 1, a)), 0, "packet on interface 1; the section describes 1"},
		{"pcapng interfaces end with their section", cat(ng, ngEnhanced(le, 0, a), ngSection(be), ngEnhanced(be, 0, a)), 1, "interface 0; the section describes 0"},
		{"pcapng packet longer than its block", cat(ng, set(ngEnhanced(le, 0, a), 8+12, 200)), 0, "packet of 200 bytes in a block of 44"},
		{"pcapng packet block too short", cat(ng, ngBlock(le, ngBlockEnhanced, make([]byte, 16))), 0, "packet block too short"},
		{"pcapng simple packet block too short", cat(ng, ngBlock(le, ngBlockSimple, nil)), 0, "simple packet block too short"},
		{"pcapng interface description too short", cat(ngSection(le), ngBlock(le, ngBlockInterface, make([]byte, 4))), 0, "interface description too short"},
		{"pcapng simple packet without an interface", cat(ngSection(le), ngSimple(le, 3, []byte("abc"))), 0, "interface 0; the section describes 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(tc.file)
			if err == nil {
				t.Fatalf("no error; %d packets", len(got))
			}
			if len(got) != tc.packets || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q after %d packets, want %q after %d", err, len(got), tc.msg, tc.packets)
			}
			if errors.Is(err, io.EOF) {
				t.Errorf("error %q reads as a clean end", err)
			}
		})
	}
}
