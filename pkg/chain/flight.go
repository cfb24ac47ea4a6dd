package chain

import (
	"errors"
	"net"
	"time"

	"github.com/zmap/zcrypto/tls"
)

// errFirstFlight ends zcrypto's handshake once the server's first flight
// has been read: everything certlint reports (version, suite, curve,
// alert, the Certificate message and how it was cut into records) is in
// that flight. Finishing a TLS 1.0–1.2 handshake would only add the
// client's own key exchange (a P-521 one costs milliseconds) and a second
// round trip, and would measure certlint's TLS library rather than the
// server.
var errFirstFlight = errors.New("certlint read the server's first flight and ended the handshake there")

// flightGate sits between zcrypto and the connection. It hands zcrypto
// the server's records up to the end of the one that completes the
// ServerHello, so zcrypto checks the server's choices against the hello it
// sent. Then, when the server chose TLS 1.0–1.2, it reads the rest of the
// first flight through the record tap without handing it on, and ends the
// handshake with errFirstFlight. For TLS 1.3 (the chain is encrypted),
// anything that is not a plain ServerHello (an alert, a reply that is not
// TLS) or a flight it cannot follow, it passes every byte through and
// zcrypto runs the handshake as before.
type flightGate struct {
	net.Conn            // the capped, tapped connection zcrypto reads from
	tap      *recordTap // follows every byte read from the server
	pending  []byte     // read from the server, not yet handed to zcrypto
	release  int        // bytes of pending zcrypto may have; -1 until decided
	open     bool       // every byte is handed on from now on
	gated    bool       // the ServerHello is handed on; the rest is held back

	// resume keeps the flight read past the ServerHello in pending and,
	// when it holds a CertificateRequest, hands it on after all (resumed):
	// zcrypto then finishes the handshake without a client certificate,
	// and the server's answer tells whether it requires one. The reads
	// that follow end at clientCertDeadline(limit).
	resume, resumed bool
	limit           time.Time
}

// maxGateBuffer bounds what the gate holds before it has seen the whole
// ServerHello; a server that sends more passes through unchanged.
const maxGateBuffer = 64 << 10

func newFlightGate(c net.Conn, tap *recordTap) *flightGate {
	return &flightGate{Conn: c, tap: tap, release: -1}
}

// Read hands zcrypto what it may see, reading from the server as needed.
func (g *flightGate) Read(p []byte) (int, error) {
	for {
		if g.release > 0 {
			n := copy(p, g.pending[:g.release])
			g.pending, g.release = g.pending[n:], g.release-n
			return n, nil
		}
		switch {
		case g.open && len(g.pending) > 0:
			n := copy(p, g.pending)
			g.pending = g.pending[n:]
			return n, nil
		case g.open:
			return g.Conn.Read(p)
		case g.gated:
			if err := g.readFlight(); !g.resumable(err) {
				return 0, err
			}
			g.open, g.resumed = true, true
			_ = g.Conn.SetReadDeadline(clientCertDeadline(g.limit))
			continue
		}
		buf := make([]byte, 16<<10)
		n, err := g.Conn.Read(buf)
		g.pending = append(g.pending, buf[:n]...)
		g.decide()
		if err != nil && g.release <= 0 && !g.open {
			g.open = true // zcrypto sees the bytes it was sent, then the error
			if len(g.pending) == 0 {
				return 0, err
			}
		}
	}
}

// decide looks at the records read so far: once the record that completes
// the ServerHello is in, the bytes up to its end are released, and the
// gate closes behind them for TLS 1.0–1.2; anything else opens the gate.
func (g *flightGate) decide() {
	end, hello, ok := serverHelloRecords(g.pending)
	switch {
	case !ok:
		g.open = true
	case end == 0:
		if len(g.pending) > maxGateBuffer {
			g.open = true
		}
	default:
		// A TLS 1.3 ServerHello, HelloRetryRequest included, names the
		// version in supported_versions, which parseServerHello reads.
		version, _, err := parseServerHello(hello)
		if err != nil || version >= tls.VersionTLS13 {
			g.open = true
			return
		}
		g.release, g.gated = end, true
	}
}

// readFlight reads the rest of the server's first flight, up to the
// ServerHelloDone, an alert, or a record the tap cannot follow, and
// reports errFirstFlight, or the error that stopped it. It reads through
// the read cap, except for a Certificate message larger than zcrypto
// takes, which the tap reads within its own bounds as it always has.
func (g *flightGate) readFlight() error {
	t := g.tap
	var buf []byte
	for !t.sawHelloDone && !t.stopped && t.alert == nil {
		if t.cert != nil && t.cert.large && !t.cert.done {
			if err := t.readCertificate(); err != nil {
				return err
			}
			continue
		}
		if buf == nil {
			buf = make([]byte, 16<<10)
		}
		n, err := g.Conn.Read(buf)
		if g.resume {
			g.pending = append(g.pending, buf[:n]...)
		}
		if err != nil {
			return err
		}
	}
	return errFirstFlight
}

// resumable reports whether the flight readFlight ended with err asks for
// a client certificate and can be handed on whole: it ended at the
// ServerHelloDone, with no alert, and its Certificate message was not one
// the tap read on its own.
func (g *flightGate) resumable(err error) bool {
	t := g.tap
	return g.resume && err == errFirstFlight && t.certificateRequested && t.sawHelloDone &&
		t.alert == nil && (t.cert == nil || !t.cert.large)
}

// serverHelloRecords walks the records at the start of b. It returns the
// end of the record that completes the ServerHello and the ServerHello
// body, end 0 while more bytes are needed, and ok false when b does not
// start with a ServerHello in handshake records (an alert, a reply that is
// not TLS, another message).
func serverHelloRecords(b []byte) (end int, hello []byte, ok bool) {
	var msg []byte // handshake bytes gathered from the records so far
	for off := 0; ; {
		if len(b)-off < 5 {
			return 0, nil, true
		}
		length := int(b[off+3])<<8 | int(b[off+4])
		if b[off] != recordHandshake {
			return 0, nil, false
		}
		if len(b)-off-5 < length {
			return 0, nil, true
		}
		msg = append(msg, b[off+5:off+5+length]...)
		off += 5 + length
		if len(msg) >= 1 && msg[0] != hsServerHello {
			return 0, nil, false
		}
		if len(msg) < 4 {
			continue
		}
		size := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
		if size > maxServerHello {
			return 0, nil, false
		}
		if len(msg) >= size {
			return off, msg[4:size], true
		}
	}
}
