package chain

import (
	"errors"
	"fmt"
	"net"
)

// Bounds of the record tap.
const (
	// maxKeptCertBytes bounds the DER kept from a Certificate message: the
	// certificates past it are counted, not kept.
	maxKeptCertBytes = DefaultMaxHandshakeBytes
	// maxTrackedRecords bounds the record sizes remembered for one message.
	maxTrackedRecords = 1 << 16
	// maxServerHello bounds the ServerHello body kept.
	maxServerHello = 4 << 10
	// keyExchangeStart is how much of the ServerKeyExchange body is kept:
	// an ECDHE one starts with the curve type and the named group.
	keyExchangeStart = 3
)

// errMalformedCertificate is a Certificate message whose lengths do not add up.
var errMalformedCertificate = errors.New("malformed Certificate message (its certificate lengths do not add up)")

// recordTap passes through what the TLS client reads from the server and
// follows the plaintext records and handshake messages on the way, to
// record how the server sent its Certificate message: its size, its
// certificates' sizes and the records that carried it. It stops at the
// first encrypted record (ChangeCipherSpec, or TLS 1.3's application data
// records), so a TLS 1.3 Certificate message is never seen. Memory is
// bounded: it keeps the first MaxChainCerts certificates up to
// maxKeptCertBytes, and only counts the rest.
type recordTap struct {
	net.Conn

	hdr     [5]byte // record header being read
	hdrN    int
	recType byte
	recLen  int
	recLeft int // fragment bytes of the current record still to come
	recIdx  int // number of the current record
	stopped bool

	hsHdr  [4]byte // handshake header being read
	hsHdrN int
	hsLeft int // body bytes of the current handshake message still to come
	inCert bool
	// sawServerHello and sawHelloDone mark the server's flight: after the
	// ServerHello the Certificate message is on its way; after the
	// ServerHelloDone none will come.
	sawServerHello, sawHelloDone bool
	// serverHello is the ServerHello body (at most maxServerHello bytes),
	// for when zcrypto stopped before logging it.
	serverHello   []byte
	inServerHello bool
	// keyExchange is the start of the ServerKeyExchange body (curve type
	// and named group), for the curve of a handshake certlint ends after
	// the server's first flight.
	keyExchange   []byte
	inKeyExchange bool
	// alert is the first alert record's fragment (level, description).
	alert []byte
	// certificateRequested marks a CertificateRequest in the flight: the
	// server asks for a client certificate.
	certificateRequested bool

	cert *certificateParse
}

// certificateParse follows one Certificate message body as it streams by.
type certificateParse struct {
	msg        CertificateMessage
	lastRecord int
	tooManyRec bool
	large      bool // the message is too large for zcrypto
	listHdr    [3]byte
	listHdrN   int
	entHdr     [3]byte
	entHdrN    int
	entLeft    int
	entBuf     []byte
	read       int      // body bytes seen
	kept       [][]byte // DER of the certificates kept
	keptBytes  int
	dropped    bool // a certificate was not kept; none after it are
	done       bool
	malformed  bool
}

// Read reads from the server and follows what was read.
func (t *recordTap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.feed(p[:n])
	return n, err
}

// Write passes the client's bytes on, except once a Certificate message
// too large for zcrypto has begun: zcrypto then gives up with an alert,
// which would make the server stop sending what certlint still reads.
func (t *recordTap) Write(p []byte) (int, error) {
	if t.cert != nil && t.cert.large {
		return len(p), nil
	}
	return t.Conn.Write(p)
}

// feed follows the record layer over b.
func (t *recordTap) feed(b []byte) {
	for len(b) > 0 && !t.stopped {
		if t.hdrN < len(t.hdr) {
			n := copy(t.hdr[t.hdrN:], b)
			t.hdrN += n
			b = b[n:]
			if t.hdrN < len(t.hdr) {
				return
			}
			t.recType, t.recLen = t.hdr[0], int(t.hdr[3])<<8|int(t.hdr[4])
			t.recLeft = t.recLen
			t.recIdx++
			if t.recType == recordAlert && t.alert == nil {
				t.alert = make([]byte, 0, 2)
			}
			if t.recType != recordHandshake && t.recType != recordAlert {
				// Encrypted from here on (or not TLS at all): nothing
				// more can be followed.
				t.stopped = true
				return
			}
			if t.recLen == 0 {
				t.hdrN = 0
			}
			continue
		}
		n := min(len(b), t.recLeft)
		switch {
		case t.recType == recordHandshake:
			t.handshake(b[:n])
		case len(t.alert) < cap(t.alert):
			t.alert = append(t.alert, b[:min(n, cap(t.alert)-len(t.alert))]...)
		}
		b, t.recLeft = b[n:], t.recLeft-n
		if t.recLeft == 0 {
			t.hdrN = 0
		}
	}
}

// handshake follows handshake messages over one record's fragment.
func (t *recordTap) handshake(b []byte) {
	for len(b) > 0 && !t.stopped {
		if t.hsHdrN < len(t.hsHdr) {
			if t.hsHdrN == 0 {
				switch b[0] {
				case hsServerHello:
					t.sawServerHello, t.inServerHello = true, t.serverHello == nil
				case hsServerHelloDone:
					t.sawHelloDone = true
				case hsServerKeyExchange:
					t.inKeyExchange = t.keyExchange == nil
				case hsCertificateRequest:
					t.certificateRequested = true
				case hsCertificate:
					if t.cert == nil {
						t.inCert, t.cert = true, &certificateParse{}
					}
				}
			}
			n := copy(t.hsHdr[t.hsHdrN:], b)
			t.hsHdrN += n
			b = b[n:]
			if t.inCert {
				t.cert.touch(t.recIdx, t.recLen)
			}
			if t.hsHdrN < len(t.hsHdr) {
				return
			}
			t.hsLeft = int(t.hsHdr[1])<<16 | int(t.hsHdr[2])<<8 | int(t.hsHdr[3])
			if t.inCert {
				t.cert.msg.Bytes = t.hsLeft
				t.cert.large = t.hsLeft > maxHandshakeMessage
			}
			if t.hsLeft == 0 {
				t.endMessage()
			}
			continue
		}
		n := min(len(b), t.hsLeft)
		if t.inServerHello && len(t.serverHello)+n <= maxServerHello {
			t.serverHello = append(t.serverHello, b[:n]...)
		}
		if t.inKeyExchange && len(t.keyExchange) < keyExchangeStart {
			t.keyExchange = append(t.keyExchange, b[:min(n, keyExchangeStart-len(t.keyExchange))]...)
		}
		if t.inCert {
			t.cert.touch(t.recIdx, t.recLen)
			t.cert.body(b[:n])
			if t.cert.malformed {
				t.stopped = true
				return
			}
		}
		b, t.hsLeft = b[n:], t.hsLeft-n
		if t.hsLeft == 0 {
			t.endMessage()
		}
	}
}

// endMessage closes the current handshake message. The messages after the
// Certificate message are followed too, up to the ServerHelloDone that ends
// the server's first flight.
func (t *recordTap) endMessage() {
	t.hsHdrN, t.inServerHello, t.inKeyExchange = 0, false, false
	if t.inCert {
		t.inCert = false
		t.cert.finish()
	}
}

// touch counts the record that carries part of the message, once.
func (c *certificateParse) touch(rec, length int) {
	if c.lastRecord == rec {
		return
	}
	c.lastRecord = rec
	if len(c.msg.Records) >= maxTrackedRecords {
		c.tooManyRec = true
		return
	}
	c.msg.Records = append(c.msg.Records, length)
}

// body follows the certificate list: a 3-byte list length, then each
// certificate with a 3-byte length.
func (c *certificateParse) body(b []byte) {
	for len(b) > 0 && !c.malformed {
		var n int
		switch {
		case c.listHdrN < len(c.listHdr):
			n = copy(c.listHdr[c.listHdrN:], b)
			c.listHdrN += n
			if c.listHdrN == len(c.listHdr) && uint24(c.listHdr) != c.msg.Bytes-3 {
				c.malformed = true
			}
		case c.entHdrN < len(c.entHdr):
			n = copy(c.entHdr[c.entHdrN:], b)
			c.entHdrN += n
			c.read += n
			if c.entHdrN == len(c.entHdr) {
				c.startEntry(uint24(c.entHdr))
			}
		default:
			n = min(len(b), c.entLeft)
			if c.entBuf != nil {
				c.entBuf = append(c.entBuf, b[:n]...)
			}
			c.entLeft -= n
			c.read += n
			if c.entLeft == 0 {
				c.endEntry()
			}
		}
		b = b[n:]
	}
}

// uint24 reads a 3-byte big-endian length.
func uint24(b [3]byte) int { return int(b[0])<<16 | int(b[1])<<8 | int(b[2]) }

// startEntry counts a certificate of n bytes and decides whether to keep it.
// A certificate longer than what is left of the list is malformed.
func (c *certificateParse) startEntry(n int) {
	if c.read+n > c.msg.Bytes-3 {
		c.malformed = true
		return
	}
	c.msg.add(c.msg.Certs, n)
	c.entLeft = n
	if !c.dropped && len(c.kept) < MaxChainCerts {
		if c.keptBytes+n <= maxKeptCertBytes {
			c.entBuf = make([]byte, 0, n)
		} else {
			c.dropped = true
		}
	}
	if n == 0 {
		c.endEntry()
	}
}

// endEntry keeps the certificate just read, when it was being kept.
func (c *certificateParse) endEntry() {
	if c.entBuf != nil {
		c.kept = append(c.kept, c.entBuf)
		c.keptBytes += len(c.entBuf)
		c.entBuf = nil
	}
	c.entHdrN = 0
}

// finish marks the message complete and checks that its entries filled it.
func (c *certificateParse) finish() {
	c.done = true
	if c.listHdrN != len(c.listHdr) || c.read != c.msg.Bytes-3 || c.entHdrN != 0 || c.entLeft != 0 {
		c.malformed = true
	}
}

// message returns the Certificate message as sent, or nil when it was not
// seen whole and well-formed.
func (t *recordTap) message() *CertificateMessage {
	if t.cert == nil || !t.cert.done || t.cert.malformed || t.cert.tooManyRec {
		return nil
	}
	m := t.cert.msg
	return &m
}

// readCertificate reads on until the Certificate message is complete, after
// zcrypto stopped before it: a message larger than zcrypto takes, or a
// failure of zcrypto's own after the ServerHello. It reads at most twice
// the announced size plus 64 KiB (record headers included), so a server
// cannot make it read without bound; the connection's deadline bounds the
// time.
func (t *recordTap) readCertificate() error {
	buf := make([]byte, 32<<10)
	for read := 0; t.cert == nil || !t.cert.done; {
		switch {
		case t.cert != nil && t.cert.malformed:
			return errMalformedCertificate
		case t.sawHelloDone && t.cert == nil:
			return errors.New("the server sent no Certificate message")
		case t.stopped:
			return errors.New("the Certificate message ended early")
		}
		limit := 64 << 10
		if t.cert != nil {
			limit += 2 * t.cert.msg.Bytes
		}
		if read >= limit {
			return fmt.Errorf("%w: more than %d bytes read for the Certificate message", ErrHandshakeTooLarge, limit)
		}
		n, err := t.Read(buf[:min(len(buf), limit-read)])
		read += n
		if err != nil && (t.cert == nil || !t.cert.done) {
			return err
		}
	}
	switch {
	case t.cert.malformed:
		return errMalformedCertificate
	case t.cert.tooManyRec:
		return fmt.Errorf("the server cut its Certificate message into more than %d records", maxTrackedRecords)
	}
	return nil
}

// negotiated reads version and suite from the ServerHello, for a handshake
// zcrypto stopped before logging it.
func (t *recordTap) negotiated(hs *Handshake) {
	version, suite, err := parseServerHello(t.serverHello)
	if err != nil || hs.Version != "" {
		return
	}
	if v, ok := VersionByID(version); ok {
		hs.Version = v.Display
	} else {
		hs.Version = fmt.Sprintf("0x%04x", version)
	}
	hs.CipherSuite = CipherSuiteName(suite)
}

// readable reports whether the Certificate message can be read from the
// records: it has begun (it may be complete already: the flight gate reads
// ahead of zcrypto), or the server's plaintext flight has.
func (t *recordTap) readable() bool {
	if t.stopped {
		return false
	}
	if t.cert == nil {
		return t.sawServerHello && !t.sawHelloDone
	}
	return true
}

// keptCerts returns the certificates kept from the message and the notes
// that say what was left out.
func (t *recordTap) keptCerts() ([]*Cert, []string) {
	c := t.cert
	m := c.msg
	certs := make([]*Cert, len(c.kept))
	for i, der := range c.kept {
		certs[i] = NewCert(der)
		certs[i].Source, certs[i].Index = SourceServed, i
	}
	var notes []string
	if len(c.kept) < m.Certs {
		why := "certlint's chain cap"
		if c.dropped {
			why = fmt.Sprintf("certlint keeps at most %d bytes of certificates", maxKeptCertBytes)
		}
		notes = append(notes, fmt.Sprintf("the server sent %d certificates (%d bytes); only the first %d were examined (%s); message-size and chain-size count all of them",
			m.Certs, m.DERBytes, len(c.kept), why))
	}
	return certs, notes
}
