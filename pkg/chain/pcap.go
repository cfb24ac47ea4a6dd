package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"github.com/zmap/zcrypto/tls"
	"golang.org/x/crypto/cryptobyte"
)

// Caps on capture input. A handshake sits in the first few KB of a TCP
// connection, so certlint keeps only the start of each stream; the caps stop
// a large or hostile capture from costing unbounded memory.
const (
	// MaxPcapStreams is the most TCP connections one capture may hold.
	MaxPcapStreams = 4096
	// MaxPcapStreamBytes is how much of each direction of a TCP connection
	// is reassembled; a handshake that does not end within it is reported
	// as cut short.
	MaxPcapStreamBytes = 256 << 10
	// MaxPcapPayloadBytes bounds the TCP payload kept for the whole capture.
	MaxPcapPayloadBytes = 128 << 20
)

// ErrNotPcap is returned (wrapped) when the input is neither a pcap nor a
// pcapng file.
var ErrNotPcap = errors.New("not a pcap or pcapng file")

// ErrNoTLS is returned (wrapped, with what the capture did hold) when a
// capture holds no TLS handshake.
var ErrNoTLS = errors.New("no TLS handshake found in the capture")

// CapturedHandshake is one TLS handshake seen in a packet capture: who
// talked to whom, the name the client asked for, what the server chose and
// the chain it sent. Chain is empty when the Certificate message could not
// be seen (TLS 1.3 encrypts it; a capture can miss packets); Note says why.
type CapturedHandshake struct {
	Client     string // client IP:port
	Server     string // server IP:port
	ServerName string // SNI of the ClientHello; empty when none was sent
	Handshake  Handshake
	// Chain holds the certificates of the server's Certificate message, in
	// served order, with Source SourceServed and Index set.
	Chain []*Cert
	// Note says what the capture could not show, e.g. that TLS 1.3 keeps
	// the certificates encrypted; empty when the handshake was seen whole.
	Note string
}

// ServerAddrPort returns the server's address and port.
func (h CapturedHandshake) ServerAddrPort() (string, int) {
	ap, err := netip.ParseAddrPort(h.Server)
	if err != nil {
		return h.Server, 0
	}
	return ap.Addr().String(), int(ap.Port())
}

// ReadPcap reads a pcap or pcapng capture (Ethernet with VLAN tags, PPPoE
// or MPLS, Linux cooked SLL/SLL2, BSD loopback or raw IP; IPv4 and IPv6;
// see pcapfile.go), reassembles each TCP connection and returns the TLS
// handshakes in it, one per connection, in the order the connections start.
// It returns ErrNotPcap for other input and ErrNoTLS when no connection
// starts with a TLS handshake; a capture cut short mid-packet still yields
// the handshakes seen before the cut, each with a note.
func ReadPcap(r io.Reader) ([]CapturedHandshake, error) {
	src, err := openCapture(r)
	if err != nil {
		return nil, err
	}
	a := newAssembler()
	var readErr error
	for {
		data, link, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if err := a.add(data, link); err != nil {
			return nil, err
		}
	}
	handshakes := a.handshakes()
	if readErr != nil {
		cut := fmt.Sprintf("capture is truncated or damaged after packet %d (%v)", a.packets, readErr)
		if len(handshakes) == 0 {
			return nil, fmt.Errorf("%s: %w", cut, ErrNoTLS)
		}
		for i := range handshakes {
			handshakes[i].Note = joinNote(handshakes[i].Note, cut)
		}
	}
	if len(handshakes) == 0 {
		return nil, fmt.Errorf("%w (%s)", ErrNoTLS, a.summary())
	}
	return handshakes, nil
}

// endpoint is one side of a TCP connection.
type endpoint = netip.AddrPort

// segment is one TCP payload with its sequence number.
type segment struct {
	seq  uint32
	data []byte
}

// tcpHalf is one direction of a TCP connection.
type tcpHalf struct {
	from, to endpoint
	synSeq   uint32
	sawSYN   bool
	segs     []segment
	stored   int
	capped   bool // payload past the per-stream cap was dropped
}

// tcpConn is one TCP connection; halves[0] is the direction of its first
// packet.
type tcpConn struct {
	halves [2]*tcpHalf
}

// assembler collects TCP payload per connection and direction.
type assembler struct {
	conns   map[[2]endpoint]*tcpConn
	order   []*tcpConn
	packets int
	tcp     int
	skipped map[string]int // packets that are not TCP over IP, by why
	payload int
}

func newAssembler() *assembler {
	return &assembler{conns: map[[2]endpoint]*tcpConn{}, skipped: map[string]int{}}
}

// add decodes one packet and files its TCP payload.
func (a *assembler) add(data []byte, link uint16) error {
	a.packets++
	tcp, skip := decodePacket(link, data)
	if skip != "" {
		a.skipped[skip]++
		return nil
	}
	a.tcp++
	half, err := a.half(tcp.from, tcp.to)
	if err != nil {
		return err
	}
	if tcp.syn {
		half.synSeq, half.sawSYN = tcp.seq, true
	}
	if len(tcp.payload) == 0 || half.capped {
		return nil
	}
	// Retransmissions are stored too; twice the cap leaves room for them
	// while still bounding what one stream can cost.
	if half.stored+len(tcp.payload) > 2*MaxPcapStreamBytes {
		half.capped = true
		return nil
	}
	if a.payload+len(tcp.payload) > MaxPcapPayloadBytes {
		return fmt.Errorf("capture holds more than %d MB of TCP payload in its first connections; filter it to the TLS connections first (tcpdump -r in.pcap -w out.pcap 'tcp port 443')", MaxPcapPayloadBytes>>20)
	}
	half.segs = append(half.segs, segment{seq: tcp.seq, data: append([]byte(nil), tcp.payload...)})
	half.stored += len(tcp.payload)
	a.payload += len(tcp.payload)
	return nil
}

// half finds or creates the direction from→to of its connection.
func (a *assembler) half(from, to endpoint) (*tcpHalf, error) {
	key := [2]endpoint{from, to}
	if to.Compare(from) < 0 {
		key = [2]endpoint{to, from}
	}
	c, ok := a.conns[key]
	if !ok {
		if len(a.conns) >= MaxPcapStreams {
			return nil, fmt.Errorf("capture holds more than %d TCP connections, the most certlint reads; filter it to the TLS connections first (tcpdump -r in.pcap -w out.pcap 'tcp port 443')", MaxPcapStreams)
		}
		c = &tcpConn{halves: [2]*tcpHalf{{from: from, to: to}, {from: to, to: from}}}
		a.conns[key] = c
		a.order = append(a.order, c)
	}
	if c.halves[0].from == from {
		return c.halves[0], nil
	}
	return c.halves[1], nil
}

// summary says what the capture held, for the no-TLS error.
func (a *assembler) summary() string {
	parts := []string{fmt.Sprintf("%d packets, %d TCP segments in %d connections", a.packets, a.tcp, len(a.conns))}
	keys := make([]string, 0, len(a.skipped))
	for k := range a.skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d skipped: %s", a.skipped[k], k))
	}
	return strings.Join(parts, "; ")
}

// reassemble returns the direction's bytes in sequence order from its
// start, up to MaxPcapStreamBytes. Overlapping and repeated segments
// (retransmissions) contribute each byte once, the first copy winning;
// gap reports a hole (a lost packet), where the bytes stop.
func (h *tcpHalf) reassemble() (data []byte, gap bool) {
	if len(h.segs) == 0 {
		return nil, false
	}
	base := h.synSeq + 1
	if !h.sawSYN {
		// Without the SYN, the stream starts at its lowest sequence number
		// (in wrap-around order relative to the first segment seen).
		ref := h.segs[0].seq
		minOff := int32(0)
		for _, s := range h.segs {
			if off := int32(s.seq - ref); off < minOff {
				minOff = off
			}
		}
		base = ref + uint32(minOff)
	}
	type placed struct {
		off  int64
		data []byte
	}
	var list []placed
	for _, s := range h.segs {
		off := int64(s.seq - base)
		if off < MaxPcapStreamBytes {
			list = append(list, placed{off, s.data})
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].off < list[j].off })
	var out []byte
	for _, p := range list {
		end := p.off + int64(len(p.data))
		next := int64(len(out))
		if end <= next {
			continue
		}
		if p.off > next {
			return out, true
		}
		out = append(out, p.data[next-p.off:]...)
		if len(out) >= MaxPcapStreamBytes {
			return out[:MaxPcapStreamBytes], false
		}
	}
	return out, false
}

// handshakes parses both directions of every connection as TLS.
func (a *assembler) handshakes() []CapturedHandshake {
	var out []CapturedHandshake
	for _, c := range a.order {
		if hs, ok := connHandshake(c); ok {
			out = append(out, hs)
		}
	}
	return out
}

// connHandshake finds the client (the side whose stream starts with a
// ClientHello) and reads the server's first flight.
func connHandshake(c *tcpConn) (CapturedHandshake, bool) {
	for i, client := range c.halves {
		cdata, cgap := client.reassemble()
		cf := parseFlight(cdata)
		hello, ok := cf.message(hsClientHello)
		if !ok {
			continue
		}
		server := c.halves[1-i]
		sdata, sgap := server.reassemble()
		sf := parseFlight(sdata)
		ch, _ := parseClientHelloBody(hello) // a malformed hello still names what it got to
		hs := CapturedHandshake{Client: client.from.String(), Server: client.to.String(), ServerName: ch.ServerName}
		hs.read(sf, server.capped || len(sdata) >= MaxPcapStreamBytes, sgap || cgap)
		if body, ok := sf.message(hsCertificateRequest); ok {
			hs.Handshake.ClientCert = capturedRequest(body, hs.Handshake.Version == "TLS1.2", cf, sf)
		}
		if len(hs.Chain) > 0 && !sgap {
			// How the server cut its Certificate message into records.
			var tap recordTap
			tap.feed(sdata)
			hs.Handshake.Certificate = tap.message()
		}
		return hs, true
	}
	return CapturedHandshake{}, false
}

// read fills in the server's side of the handshake from its flight.
func (hs *CapturedHandshake) read(sf flight, capped, gap bool) {
	hs.Handshake.Alert = sf.alert
	sh, ok := sf.message(hsServerHello)
	if !ok {
		hs.Handshake.Error, hs.Handshake.Failure = "the server sent no ServerHello", FailureClosed
		if sf.alert != "" {
			hs.Handshake.Error = "the server answered the ClientHello with alert " + sf.alert
			hs.Handshake.Failure = AlertFailure(sf.alert, false)
		}
		hs.Note = missingNote(sf, capped, gap, "the ServerHello")
		return
	}
	version, suite, err := parseServerHello(sh)
	if err != nil {
		hs.Handshake.Error, hs.Handshake.Failure = "malformed ServerHello: "+err.Error(), FailureLocal
		return
	}
	if v, ok := VersionByID(version); ok {
		hs.Handshake.Version = v.Display
	} else {
		hs.Handshake.Version = fmt.Sprintf("0x%04x", version)
	}
	hs.Handshake.CipherSuite = CipherSuiteName(suite)
	if version >= tls.VersionTLS13 {
		hs.Note = "TLS 1.3: the server's certificates are encrypted, so the capture cannot show the chain; capture a TLS 1.2 handshake (a client limited to TLS 1.2, as most devices are) or check the server directly"
		return
	}
	if ske, ok := sf.message(hsServerKeyExchange); ok {
		hs.Handshake.Curve = serverKeyExchangeCurve(ske)
	}
	cm, ok := sf.message(hsCertificate)
	if !ok {
		hs.Note = missingNote(sf, capped, gap, "the Certificate message")
		return
	}
	certs, total, err := parseCertificateMessage(cm)
	if err != nil {
		hs.Note = "malformed Certificate message: " + err.Error()
		return
	}
	hs.Chain = certs
	if total > len(certs) {
		hs.Note = fmt.Sprintf("the server sent %d certificates; only the first %d were examined (certlint's chain cap); message-size and chain-size count all of them", total, len(certs))
	}
}

// capturedRequest is a server's CertificateRequest seen in a capture
// (TLS 1.0–1.2; TLS 1.3 encrypts it): the CAs it names and, when the
// capture shows it, the server's policy: after a client's empty
// Certificate message, an alert (required) or its ChangeCipherSpec
// (optional). server is the server's flight.
func capturedRequest(body []byte, tls12 bool, client, server flight) *ClientCertRequest {
	r := &ClientCertRequest{Policy: ClientCertUnknown}
	s := cryptobyte.String(body)
	var types, algs, cas cryptobyte.String
	if s.ReadUint8LengthPrefixed(&types) && (!tls12 || s.ReadUint16LengthPrefixed(&algs)) && s.ReadUint16LengthPrefixed(&cas) {
		for !cas.Empty() && len(r.AcceptableCAs) < MaxAcceptableCAs {
			var dn cryptobyte.String
			if !cas.ReadUint16LengthPrefixed(&dn) {
				break
			}
			r.AcceptableCAs = append(r.AcceptableCAs, distinguishedName(dn))
		}
	}
	cert, sent := client.message(hsCertificate)
	switch {
	case !sent:
		r.Detail = "the captured client sent no Certificate message in the clear"
	case len(cert) > 3: // more than an empty certificate_list
		r.Detail = "the captured client sent a certificate of its own"
	case server.alert != "":
		r.Policy, r.Alert = ClientCertRequired, server.alert
		r.Detail = "the captured client sent an empty Certificate message and the server answered with alert " + server.alert
	case server.encrypted:
		r.Policy = ClientCertOptional
		r.Detail = "the captured client sent an empty Certificate message and the server went on (its ChangeCipherSpec followed)"
	default:
		r.Detail = "the captured client sent an empty Certificate message; the server's answer is not in the clear"
	}
	return r
}

// missingNote says why a message the handshake needs is not in the flight.
func missingNote(sf flight, capped, gap bool, what string) string {
	switch {
	case sf.notTLS:
		return "the server's side of the connection is not TLS"
	case gap:
		return "the capture misses packets before " + what + " (a gap in the TCP stream)"
	case capped:
		return fmt.Sprintf("%s is not within the first %d KB of the server's stream", what, MaxPcapStreamBytes>>10)
	case sf.truncated:
		return "the capture ends before " + what + " is complete"
	case sf.encrypted:
		return "the server sent no " + strings.TrimPrefix(what, "the ") + " before encrypting (a resumed session)"
	}
	return "the capture does not show " + what
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// TLS wire values read from a capture or a ClientHello (RFC 5246, RFC 8446).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23

	hsClientHello        = 1
	hsServerHello        = 2
	hsCertificate        = 11
	hsServerKeyExchange  = 12
	hsCertificateRequest = 13
	hsServerHelloDone    = 14

	extServerName          = 0
	extSupportedGroups     = 10
	extSignatureAlgorithms = 13
	extSupportedVersions   = 43

	// maxRecordLen is the largest record a peer may send (2^14 plus
	// expansion, RFC 5246 section 6.2.3).
	maxRecordLen = 16384 + 2048
	// maxFlightMessages bounds the handshake messages kept per direction.
	maxFlightMessages = 64
)

// handshakeMessage is one handshake message, body without its header.
type handshakeMessage struct {
	typ  uint8
	body []byte
}

// flight is what one direction of a connection sent in the clear: its
// handshake messages (which may span records), the first alert, and how
// the plaintext ended.
type flight struct {
	msgs      []handshakeMessage
	alert     string
	notTLS    bool // the stream does not start with a TLS record
	truncated bool // a record or handshake message is cut short
	encrypted bool // ChangeCipherSpec or application data followed
}

func (f flight) message(typ uint8) ([]byte, bool) {
	for _, m := range f.msgs {
		if m.typ == typ {
			return m.body, true
		}
	}
	return nil, false
}

// parseFlight reads TLS records from a reassembled stream until the peer
// starts encrypting.
func parseFlight(b []byte) flight {
	var f flight
	var hs []byte
	first := true
	for len(b) > 0 {
		if len(b) < 5 {
			f.truncated = true
			break
		}
		typ, major, n := b[0], b[1], int(binary.BigEndian.Uint16(b[3:5]))
		if major != 3 || typ < recordChangeCipherSpec || typ > recordApplicationData || n > maxRecordLen {
			f.notTLS = first
			break
		}
		if len(b) < 5+n {
			f.truncated = true
			break
		}
		body := b[5 : 5+n]
		b = b[5+n:]
		first = false
		if typ == recordHandshake {
			hs = append(hs, body...)
			hs = f.takeMessages(hs)
			if len(f.msgs) >= maxFlightMessages {
				break
			}
			continue
		}
		if typ == recordAlert && len(body) == 2 && f.alert == "" {
			f.alert = AlertName(tls.Alert(body[1]))
		}
		if typ == recordChangeCipherSpec || typ == recordApplicationData {
			f.encrypted = true
			break
		}
	}
	if len(hs) > 0 {
		f.truncated = true
	}
	return f
}

// takeMessages moves every whole handshake message from buf into f and
// returns what is left (the start of a message continued in a later record).
func (f *flight) takeMessages(buf []byte) []byte {
	for len(buf) >= 4 && len(f.msgs) < maxFlightMessages {
		n := int(buf[1])<<16 | int(buf[2])<<8 | int(buf[3])
		if len(buf) < 4+n {
			break
		}
		f.msgs = append(f.msgs, handshakeMessage{typ: buf[0], body: buf[4 : 4+n]})
		buf = buf[4+n:]
	}
	return buf
}

// parseServerHello returns the negotiated version (supported_versions wins
// over the legacy field, RFC 8446 section 4.2.1) and cipher suite.
func parseServerHello(body []byte) (version, suite uint16, err error) {
	s := cryptobyte.String(body)
	var sid cryptobyte.String
	var comp uint8
	if !s.ReadUint16(&version) || !s.Skip(32) || !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16(&suite) || !s.ReadUint8(&comp) {
		return 0, 0, errors.New("too short")
	}
	var exts cryptobyte.String
	if s.Empty() || !s.ReadUint16LengthPrefixed(&exts) {
		return version, suite, nil
	}
	for !exts.Empty() {
		var typ uint16
		var ext cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&ext) {
			return version, suite, nil
		}
		var selected uint16
		if typ == extSupportedVersions && ext.ReadUint16(&selected) {
			version = selected
		}
	}
	return version, suite, nil
}

// serverKeyExchangeCurve returns the named group of an ECDHE
// ServerKeyExchange, or "" for other key exchanges.
func serverKeyExchangeCurve(body []byte) string {
	const namedCurve = 3
	if len(body) < 3 || body[0] != namedCurve {
		return ""
	}
	return CurveName(tls.CurveID(binary.BigEndian.Uint16(body[1:3])))
}

// parseCertificateMessage returns the certificates of a TLS 1.0–1.2
// Certificate message in served order.
func parseCertificateMessage(body []byte) (certs []*Cert, total int, err error) {
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) {
		return nil, 0, errors.New("certificate list length exceeds the message")
	}
	for ; !list.Empty(); total++ {
		var der cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&der) {
			return nil, 0, fmt.Errorf("certificate %d: length exceeds the message", total)
		}
		if total >= MaxChainCerts {
			continue // counted, not kept: certlint's chain cap
		}
		c := NewCert(bytes.Clone(der))
		c.Index = len(certs)
		c.Source = SourceServed
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, 0, errors.New("the server sent an empty certificate list")
	}
	return certs, total, nil
}
