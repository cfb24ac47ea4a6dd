package chain

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// This file reads what ReadPcap needs from a capture file: the packets of
// a pcap or pcapng file with their link types (capture formats:
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html and
// draft-ietf-opsawg-pcapng), and the TCP segment in each packet, through
// the link layers captures come in, IPv4 and IPv6. It replaces gopacket's
// pcapgo and layers packages, whose package init and 2.8 MB of code were
// paid by every certlint start, --pcap or not.

// Link types (LINKTYPE_* of https://www.tcpdump.org/linktypes.html).
const (
	linkTypeNull     = 0   // BSD loopback: 4-byte address family, host byte order
	linkTypeEthernet = 1   // Ethernet II, 802.1Q/802.1ad tags
	linkTypeRawBSD1  = 12  // raw IP: DLT_RAW's value on some BSDs
	linkTypeRawBSD2  = 14  // raw IP: DLT_RAW's value on OpenBSD
	linkTypeRaw      = 101 // raw IPv4 or IPv6
	linkTypeLoop     = 108 // OpenBSD loopback: address family, network byte order
	linkTypeSLL      = 113 // Linux cooked capture ("any" interface)
	linkTypeIPv4     = 228
	linkTypeIPv6     = 229
	linkTypeSLL2     = 276 // Linux cooked capture v2
)

const (
	// maxPacketBytes bounds one packet read from a capture, whatever its
	// header claims (snapshot lengths are at most 256 KB in practice).
	maxPacketBytes = 16 << 20
	// eagerPacketBytes is read into one buffer; larger claims are read
	// piecewise, so a lying header in a short file costs no more memory
	// than the file.
	eagerPacketBytes = 256 << 10
)

// packetSource yields the packets of a capture and each one's link type;
// io.EOF at a clean end, another error when the file is cut short or
// damaged.
type packetSource interface {
	next() (data []byte, linkType uint16, err error)
}

// openCapture tells pcap from pcapng by the magic number.
func openCapture(r io.Reader) (packetSource, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%w: input is only %d bytes", ErrNotPcap, len(magic))
	}
	switch binary.BigEndian.Uint32(magic) {
	case ngBlockSection:
		ng, err := newNgReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcapng header: %w", err)
		}
		return ng, nil
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		p, err := newPcapReader(br)
		if err != nil {
			return nil, fmt.Errorf("pcap header: %w", err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("%w (starts with % x; save it from Wireshark as pcap or pcapng)", ErrNotPcap, magic)
}

// readN reads n bytes (a packet or a pcapng block); running out of input
// is io.ErrUnexpectedEOF.
func readN(r io.Reader, n int) ([]byte, error) {
	if n <= eagerPacketBytes {
		b := make([]byte, n)
		_, err := io.ReadFull(r, b)
		return b, noEOF(err)
	}
	var b bytes.Buffer
	got, err := b.ReadFrom(io.LimitReader(r, int64(n)))
	if err == nil && got < int64(n) {
		err = io.ErrUnexpectedEOF
	}
	return b.Bytes(), err
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF, for reads that must not
// end where they start.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// pcapReader reads a classic pcap file: a 24-byte file header, then a
// 16-byte record header before each packet.
type pcapReader struct {
	r       io.Reader
	order   binary.ByteOrder
	snaplen uint32
	link    uint16
}

func newPcapReader(r io.Reader) (*pcapReader, error) {
	var h [24]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, noEOF(err)
	}
	p := &pcapReader{r: r, order: binary.BigEndian}
	if h[0] == 0xd4 || h[0] == 0x4d { // the magic written little-endian
		p.order = binary.LittleEndian
	}
	if major, minor := p.order.Uint16(h[4:6]), p.order.Uint16(h[6:8]); major != 2 {
		return nil, fmt.Errorf("version %d.%d (certlint reads 2.4)", major, minor)
	}
	p.snaplen = p.order.Uint32(h[16:20])
	p.link = uint16(p.order.Uint32(h[20:24])) // the upper bits say whether frames carry an FCS
	return p, nil
}

func (p *pcapReader) next() ([]byte, uint16, error) {
	var h [16]byte
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, 0, fmt.Errorf("packet header cut short: %w", err)
		}
		return nil, 0, err // io.EOF: the end
	}
	caplen, origlen := p.order.Uint32(h[8:12]), p.order.Uint32(h[12:16])
	switch {
	case caplen > maxPacketBytes || caplen > max(p.snaplen, eagerPacketBytes):
		return nil, 0, fmt.Errorf("packet of %d bytes, more than the snapshot length %d", caplen, p.snaplen)
	case caplen > origlen:
		return nil, 0, fmt.Errorf("packet captured with %d bytes of a %d-byte packet", caplen, origlen)
	}
	data, err := readN(p.r, int(caplen))
	return data, p.link, err
}

// pcapng block types.
const (
	ngBlockSection   = 0x0a0d0d0a
	ngBlockInterface = 1
	ngBlockPacket    = 2 // obsolete Packet Block
	ngBlockSimple    = 3
	ngBlockEnhanced  = 6
	ngByteOrderMagic = 0x1a2b3c4d
)

// ngReader reads a pcapng file: blocks, each with its type and length;
// a section header sets the byte order and starts a new list of
// interfaces, whose descriptions give each packet's link type.
type ngReader struct {
	r     io.Reader
	order binary.ByteOrder
	links []uint16 // link type per interface of the current section
	snaps []uint32 // snapshot length per interface
}

func newNgReader(r io.Reader) (*ngReader, error) {
	n := &ngReader{r: r}
	typ, body, err := n.block()
	if err != nil {
		return nil, noEOF(err)
	}
	if typ != ngBlockSection {
		return nil, fmt.Errorf("first block is of type %#x, not a section header", typ)
	}
	return n, n.section(body)
}

// block reads one block and returns its type and body (after the type and
// length, before the trailing length). It returns io.EOF only at a block
// boundary at the end of the input.
func (n *ngReader) block() (uint32, []byte, error) {
	var h [12]byte
	if _, err := io.ReadFull(n.r, h[:8]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return 0, nil, fmt.Errorf("block header cut short: %w", err)
		}
		return 0, nil, err
	}
	typ := binary.BigEndian.Uint32(h[:4]) // the section type reads the same both ways
	head := 8
	if typ == ngBlockSection {
		if _, err := io.ReadFull(n.r, h[8:12]); err != nil {
			return 0, nil, noEOF(err)
		}
		switch uint32(ngByteOrderMagic) {
		case binary.BigEndian.Uint32(h[8:12]):
			n.order = binary.BigEndian
		case binary.LittleEndian.Uint32(h[8:12]):
			n.order = binary.LittleEndian
		default:
			return 0, nil, fmt.Errorf("section header with byte-order magic % x", h[8:12])
		}
		head = 12
	}
	typ = n.order.Uint32(h[:4])
	length := n.order.Uint32(h[4:8])
	if length < uint32(head)+4 || length%4 != 0 || length > maxPacketBytes+64 {
		return 0, nil, fmt.Errorf("block of type %#x with length %d", typ, length)
	}
	rest, err := readN(n.r, int(length)-head)
	if err != nil {
		return 0, nil, err
	}
	body := rest[:len(rest)-4] // the block length again
	if head == 12 {
		body = append(h[8:12:12], body...) // the byte-order magic is part of the body
	}
	return typ, body, nil
}

// section starts a new section: its interfaces are described anew.
func (n *ngReader) section(body []byte) error {
	if len(body) < 16 {
		return errors.New("section header too short")
	}
	if major := n.order.Uint16(body[4:6]); major != 1 {
		return fmt.Errorf("section version %d.%d (certlint reads 1.0)", major, n.order.Uint16(body[6:8]))
	}
	n.links, n.snaps = n.links[:0], n.snaps[:0]
	return nil
}

func (n *ngReader) next() ([]byte, uint16, error) {
	for {
		typ, body, err := n.block()
		if err != nil {
			return nil, 0, err
		}
		switch typ {
		case ngBlockSection:
			if err := n.section(body); err != nil {
				return nil, 0, err
			}
		case ngBlockInterface:
			if len(body) < 8 {
				return nil, 0, errors.New("interface description too short")
			}
			n.links = append(n.links, n.order.Uint16(body[0:2]))
			n.snaps = append(n.snaps, n.order.Uint32(body[4:8]))
		case ngBlockEnhanced, ngBlockPacket:
			if len(body) < 20 {
				return nil, 0, errors.New("packet block too short")
			}
			iface := int(n.order.Uint32(body[0:4]))
			if typ == ngBlockPacket {
				iface = int(n.order.Uint16(body[0:2]))
			}
			caplen := n.order.Uint32(body[12:16])
			if caplen > uint32(len(body)-20) {
				return nil, 0, fmt.Errorf("packet of %d bytes in a block of %d", caplen, len(body)+12)
			}
			return n.packet(iface, body[20:20+caplen])
		case ngBlockSimple:
			if len(body) < 4 {
				return nil, 0, errors.New("simple packet block too short")
			}
			data := body[4:]
			if origlen := n.order.Uint32(body[0:4]); uint32(len(data)) > origlen {
				data = data[:origlen] // the rest is padding
			}
			if len(n.snaps) > 0 && n.snaps[0] != 0 && uint32(len(data)) > n.snaps[0] {
				data = data[:n.snaps[0]]
			}
			return n.packet(0, data)
		}
		// Other blocks (statistics, name resolution, custom) say nothing
		// certlint reads.
	}
}

// packet returns a packet with the link type of its interface.
func (n *ngReader) packet(iface int, data []byte) ([]byte, uint16, error) {
	if iface >= len(n.links) {
		return nil, 0, fmt.Errorf("packet on interface %d; the section describes %d", iface, len(n.links))
	}
	return data, n.links[iface], nil
}

// tcpSegment is what certlint takes from a packet: the TCP segment's
// endpoints, sequence number, SYN flag and payload.
type tcpSegment struct {
	from, to netip.AddrPort
	seq      uint32
	syn      bool
	payload  []byte
}

// Why a packet is skipped, as the no-TLS error counts them.
const (
	skipNotIP     = "not IP"
	skipNotTCP    = "not TCP"
	skipFragment  = "IP fragment"
	skipMalformed = "malformed or cut short"
)

// decodePacket finds the TCP segment in a captured frame of link type
// link. When the frame holds none, skip says why.
func decodePacket(link uint16, data []byte) (seg tcpSegment, skip string) {
	switch link {
	case linkTypeEthernet:
		if len(data) < 14 {
			return seg, skipMalformed
		}
		return decodeEtherType(binary.BigEndian.Uint16(data[12:14]), data[14:])
	case linkTypeSLL: // packet type, ARPHRD type, address length, address (8), protocol
		if len(data) < 16 {
			return seg, skipMalformed
		}
		return decodeEtherType(binary.BigEndian.Uint16(data[14:16]), data[16:])
	case linkTypeSLL2: // protocol, reserved, interface, ARPHRD type, packet type, address length, address (8)
		if len(data) < 20 {
			return seg, skipMalformed
		}
		return decodeEtherType(binary.BigEndian.Uint16(data[0:2]), data[20:])
	case linkTypeNull, linkTypeLoop:
		if len(data) < 4 {
			return seg, skipMalformed
		}
		// The family is in the capturing host's byte order (linkTypeNull) or
		// in network order (linkTypeLoop); every family is below 256.
		family := binary.LittleEndian.Uint32(data[:4])
		if data[0] == 0 && data[1] == 0 {
			family = binary.BigEndian.Uint32(data[:4])
		}
		switch family {
		case 2: // AF_INET
			return decodeIPv4(data[4:])
		case 10, 24, 28, 30: // AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS
			return decodeIPv6(data[4:])
		}
		return seg, skipNotIP
	case linkTypeRaw, linkTypeIPv4, linkTypeIPv6, linkTypeRawBSD1, linkTypeRawBSD2:
		return decodeIP(data)
	}
	return seg, fmt.Sprintf("link type %d", link)
}

// decodeEtherType decodes what follows an Ethernet type field: IPv4 or
// IPv6, under up to eight VLAN tags, PPPoE or an MPLS label stack.
func decodeEtherType(etherType uint16, p []byte) (tcpSegment, string) {
	for range 8 {
		switch etherType {
		case 0x0800:
			return decodeIPv4(p)
		case 0x86dd:
			return decodeIPv6(p)
		case 0x8100, 0x88a8, 0x9100: // 802.1Q, 802.1ad, the older QinQ tag
			if len(p) < 4 {
				return tcpSegment{}, skipMalformed
			}
			etherType, p = binary.BigEndian.Uint16(p[2:4]), p[4:]
			continue
		case 0x8864: // PPPoE session: 6-byte header, then the PPP protocol
			if len(p) < 8 {
				return tcpSegment{}, skipMalformed
			}
			switch binary.BigEndian.Uint16(p[6:8]) {
			case 0x0021:
				return decodeIPv4(p[8:])
			case 0x0057:
				return decodeIPv6(p[8:])
			}
		case 0x8847, 0x8848: // MPLS: labels down to the bottom of the stack, then IP
			for len(p) >= 4 {
				bottom := p[2]&1 == 1
				p = p[4:]
				if bottom {
					return decodeIP(p)
				}
			}
			return tcpSegment{}, skipMalformed
		}
		return tcpSegment{}, skipNotIP
	}
	return tcpSegment{}, skipMalformed
}

// decodeIP decodes an IP packet of either version.
func decodeIP(p []byte) (tcpSegment, string) {
	if len(p) > 0 {
		switch p[0] >> 4 {
		case 4:
			return decodeIPv4(p)
		case 6:
			return decodeIPv6(p)
		}
	}
	return tcpSegment{}, skipNotIP
}

func decodeIPv4(p []byte) (tcpSegment, string) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return tcpSegment{}, skipMalformed
	}
	hlen := int(p[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(p[2:4]))
	switch {
	case hlen < 20 || hlen > len(p) || (total != 0 && total < hlen):
		return tcpSegment{}, skipMalformed
	case total == 0 || total > len(p):
		total = len(p) // 0: segmentation offload left it to the NIC; more: cut by the snapshot length
	}
	if binary.BigEndian.Uint16(p[6:8])&0x3fff != 0 { // more fragments, or a fragment offset
		return tcpSegment{}, skipFragment
	}
	if p[9] != 6 {
		return tcpSegment{}, skipNotTCP
	}
	src, dst := netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
	return decodeTCP(src, dst, p[hlen:total]) // total drops an Ethernet frame's padding
}

func decodeIPv6(p []byte) (tcpSegment, string) {
	if len(p) < 40 || p[0]>>4 != 6 {
		return tcpSegment{}, skipMalformed
	}
	end := 40 + int(binary.BigEndian.Uint16(p[4:6]))
	if end == 40 || end > len(p) {
		end = len(p) // 0: a jumbogram or segmentation offload; more: cut by the snapshot length
	}
	src, dst := netip.AddrFrom16([16]byte(p[8:24])), netip.AddrFrom16([16]byte(p[24:40]))
	next, rest := p[6], p[40:end]
	for range 16 { // extension headers
		if next == 6 {
			return decodeTCP(src, dst, rest)
		}
		if next != 0 && next != 43 && next != 44 && next != 51 && next != 60 {
			return tcpSegment{}, skipNotTCP
		}
		if len(rest) < 8 {
			return tcpSegment{}, skipMalformed
		}
		n := (int(rest[1]) + 1) * 8 // hop-by-hop (0), routing (43), destination options (60)
		switch next {
		case 51: // authentication header
			n = (int(rest[1]) + 2) * 4
		case 44: // fragment: only an unfragmented ("atomic") one is read
			if binary.BigEndian.Uint16(rest[2:4])&0xfff9 != 0 {
				return tcpSegment{}, skipFragment
			}
			n = 8
		}
		if n > len(rest) {
			return tcpSegment{}, skipMalformed
		}
		next, rest = rest[0], rest[n:]
	}
	return tcpSegment{}, skipMalformed
}

func decodeTCP(src, dst netip.Addr, p []byte) (tcpSegment, string) {
	if len(p) < 20 {
		return tcpSegment{}, skipMalformed
	}
	off := int(p[12]>>4) * 4
	if off < 20 || off > len(p) {
		return tcpSegment{}, skipMalformed
	}
	return tcpSegment{
		from:    netip.AddrPortFrom(src, binary.BigEndian.Uint16(p[0:2])),
		to:      netip.AddrPortFrom(dst, binary.BigEndian.Uint16(p[2:4])),
		seq:     binary.BigEndian.Uint32(p[4:8]),
		syn:     p[13]&0x02 != 0,
		payload: p[off:],
	}, ""
}
