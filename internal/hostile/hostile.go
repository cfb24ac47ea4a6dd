// Package hostile runs servers on 127.0.0.1 that misbehave the ways a
// customer's server (or an attacker's) can: silence, garbage, resets, a
// byte every two seconds, absurd chains and headers, alerts, certificates
// only a lenient parser reads. The chain tests, the CLI stories and the
// bench/hostile measurements all use these same servers, so what is
// measured is what is tested.
package hostile

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// ConnLifetime bounds how long the server keeps any one connection: even a
// test that forgets to close the server cannot leave it running for long.
const ConnLifetime = 30 * time.Second

// DripInterval is the pause between the bytes of the "drip" server.
const DripInterval = 2 * time.Second

// HugeHeaderLength is the handshake message length the "hugeheader" server
// announces: the protocol maximum, 16 MiB - 1.
const HugeHeaderLength = 1<<24 - 1

// BigChainCerts is the number of certificates the "bigchain" server sends
// (about 350 KB); LongChainCerts is the number "longchain" sends in small
// ECDSA certificates, which fits one TLS handshake message.
const (
	BigChainCerts  = 300
	LongChainCerts = 100
)

// Descriptions says what each mode does, in the words a report should use.
var Descriptions = map[string]string{
	"silent":      "accepts the connection and never answers",
	"random":      "answers the ClientHello with 4 KB of random bytes",
	"reset":       "resets the connection as soon as it is accepted",
	"drip":        "answers with one byte every two seconds",
	"alert":       "answers the ClientHello with a fatal handshake_failure alert",
	"hugeheader":  "announces a 16 MB handshake message and starts streaming it",
	"bigchain":    "completes a handshake with a 300-certificate, ~350 KB chain",
	"longchain":   "completes a handshake with a 100-certificate chain of small ECDSA certificates",
	"zcryptoonly": "sends a certificate with a negative serial, which crypto/x509 rejects and zcrypto parses",
	"junkcert":    "sends a certificate that is not DER at all",
	"record":      "completes a handshake and records any application data the client sends",
}

// Modes lists the behaviours, sorted.
func Modes() []string {
	names := make([]string, 0, len(Descriptions))
	for n := range Descriptions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Server is one misbehaving server on 127.0.0.1.
type Server struct {
	Addr string // host:port to dial
	Mode string

	ln      net.Listener
	appData atomic.Int64
	mu      sync.Mutex
	conns   map[net.Conn]bool
	closed  bool
	wg      sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves mode until Close.
func Start(mode string) (*Server, error) {
	handle, err := handlerFor(mode)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hostile %s: listen: %w", mode, err)
	}
	s := &Server{Addr: ln.Addr().String(), Mode: mode, ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept(handle)
	return s, nil
}

// AppDataBytes is how many bytes of application data clients sent after a
// completed handshake ("record" mode); certlint must never send any.
func (s *Server) AppDataBytes() int64 { return s.appData.Load() }

// WaitIdle waits until no connection is open (the clients hung up), at most
// max, so a test reads AppDataBytes after the server has read everything.
func (s *Server) WaitIdle(max time.Duration) {
	for end := time.Now().Add(max); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return
		}
	}
}

// Close stops the server and every connection it holds, and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) accept(handle func(*Server, net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			_ = c.SetDeadline(time.Now().Add(ConnLifetime))
			handle(s, c)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func handlerFor(mode string) (func(*Server, net.Conn), error) {
	switch mode {
	case "silent":
		return func(_ *Server, c net.Conn) { _, _ = io.Copy(io.Discard, c) }, nil
	case "random":
		return func(_ *Server, c net.Conn) { readRecord(c); _, _ = c.Write(randomBytes(4096)) }, nil
	case "reset":
		return func(_ *Server, c net.Conn) { _ = c.(*net.TCPConn).SetLinger(0) }, nil
	case "drip":
		return drip, nil
	case "alert":
		return func(_ *Server, c net.Conn) {
			readRecord(c)
			_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40}) // fatal handshake_failure
		}, nil
	case "hugeheader":
		return hugeHeader, nil
	case "bigchain", "longchain", "zcryptoonly", "junkcert", "record":
		cfg, err := tlsConfig(mode)
		if err != nil {
			return nil, err
		}
		return func(s *Server, c net.Conn) { serveTLS(s, c, cfg) }, nil
	}
	return nil, fmt.Errorf("hostile: unknown mode %q (known: %v)", mode, Modes())
}

// readRecord reads one TLS record (the ClientHello), so the reply comes
// after the client has spoken, as a real server's would.
func readRecord(c net.Conn) {
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return
	}
	_, _ = io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[3:])))
}

// randomBytes is deterministic garbage: the same seed every run, so a
// failure reproduces. Its first byte (0x01...) is no TLS content type.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(7)).Read(b)
	b[0] = 0x01
	return b
}

// drip sends the start of a plausible ServerHello record one byte at a time,
// so no single read ever times out; only a bound on the whole handshake
// stops the client.
func drip(_ *Server, c net.Conn) {
	readRecord(c)
	hello := []byte{0x16, 0x03, 0x03, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x03}
	for i := 0; i < 64; i++ { // 64 bytes × 2 s outlives any sane --timeout
		b := byte(0)
		if i < len(hello) {
			b = hello[i]
		}
		if _, err := c.Write([]byte{b}); err != nil {
			return
		}
		time.Sleep(DripInterval)
	}
}

// hugeHeader announces a Certificate message of 16 MiB and streams zeros
// after it until the client hangs up or 16 MiB are sent.
func hugeHeader(_ *Server, c net.Conn) {
	readRecord(c)
	record := make([]byte, 5+16384)
	copy(record, []byte{0x16, 0x03, 0x03, 0x40, 0x00, 0x0b, 0xff, 0xff, 0xff}) // HugeHeaderLength
	for sent := 0; sent < HugeHeaderLength; sent += len(record) {
		if _, err := c.Write(record); err != nil {
			return
		}
		record[5], record[6], record[7], record[8] = 0, 0, 0, 0 // only the first record carries the header
	}
}

func serveTLS(s *Server, c net.Conn, cfg *tls.Config) {
	tc := tls.Server(c, cfg)
	if err := tc.Handshake(); err != nil {
		return
	}
	n, _ := io.Copy(io.Discard, tc)
	s.appData.Add(n)
}

var (
	configsMu sync.Mutex
	configs   = map[string]*tls.Config{}
)

// tlsConfig builds (once per process) the server configuration of a mode
// that completes a handshake.
func tlsConfig(mode string) (*tls.Config, error) {
	configsMu.Lock()
	defer configsMu.Unlock()
	if cfg, ok := configs[mode]; ok {
		return cfg, nil
	}
	tc, err := certificateFor(mode)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{tc}, MinVersion: tls.VersionTLS10}
	configs[mode] = cfg
	return cfg, nil
}

func certificateFor(mode string) (tls.Certificate, error) {
	switch mode {
	case "longchain":
		root := testpki.Root(testpki.Spec{CN: "hostile EC root", Key: "ecdsa256"})
		filler := root.Intermediate(testpki.Spec{CN: "hostile EC filler", Key: "ecdsa256"})
		leaf := root.Leaf(testpki.Spec{CN: "longchain.test", DNSNames: []string{"longchain.test"}, Key: "ecdsa256"})
		return repeated(leaf, filler, LongChainCerts), nil
	case "bigchain":
		root := testpki.Root(testpki.Spec{CN: "hostile root"})
		filler := root.Intermediate(testpki.Spec{CN: "hostile filler", DNSNames: testpki.ManyNames("filler.test", 10)})
		leaf := root.Leaf(testpki.Spec{CN: "bigchain.test", DNSNames: []string{"bigchain.test"}})
		return repeated(leaf, filler, BigChainCerts), nil
	}
	root := testpki.Root(testpki.Spec{CN: "hostile root"})
	leaf := root.Leaf(testpki.Spec{CN: mode + ".test", DNSNames: []string{mode + ".test"}})
	tc := testpki.Chain{leaf, root}.TLSCertificate()
	switch mode {
	case "zcryptoonly":
		odd, err := NegativeSerialCert()
		if err != nil {
			return tc, err
		}
		tc.Certificate = [][]byte{leaf.DER, odd, root.DER}
	case "junkcert":
		tc.Certificate = [][]byte{leaf.DER, JunkCert()}
	}
	return tc, nil
}

// repeated is a chain of leaf and n-1 copies of filler: the bytes of a
// huge chain without n key generations.
func repeated(leaf, filler *testpki.Cert, n int) tls.Certificate {
	tc := testpki.Chain{leaf}.TLSCertificate()
	for len(tc.Certificate) < n {
		tc.Certificate = append(tc.Certificate, filler.DER)
	}
	return tc
}

// JunkCert is 600 bytes that are not DER: neither parser reads it, but its
// size still counts against a device's limits.
func JunkCert() []byte {
	b := make([]byte, 600)
	copy(b, "this is not a DER certificate; ")
	for i := 31; i < len(b); i++ {
		b[i] = 'x'
	}
	return b
}

// NegativeSerialCert is a CA certificate whose serial number is negative.
// crypto/x509 has refused such certificates since Go 1.23; zcrypto, which
// certlint parses with, reads them, and real CAs issued them for years. The
// sign is flipped after signing, so the signature no longer verifies; no
// one here verifies it (it is served as an intermediate).
func NegativeSerialCert() ([]byte, error) {
	root := testpki.Root(testpki.Spec{CN: "hostile root"})
	ca := root.Intermediate(testpki.Spec{CN: "hostile negative-serial CA"})
	der := append([]byte(nil), ca.DER...)
	// Certificate ::= SEQUENCE { TBSCertificate ::= SEQUENCE { [0] version, serial INTEGER ...
	i := skipHeader(der, 0) // into Certificate
	i = skipHeader(der, i)  // into TBSCertificate
	i = skipElement(der, i) // past [0] version
	if i < 0 || i+2 >= len(der) || der[i] != 0x02 {
		return nil, fmt.Errorf("hostile: unexpected certificate layout")
	}
	der[i+2] |= 0x80 // first content byte of the serial: set the sign bit
	return der, nil
}

// skipHeader returns the offset of the content of the DER element at i.
func skipHeader(der []byte, i int) int {
	if i < 0 || i+2 > len(der) {
		return -1
	}
	if der[i+1] < 0x80 {
		return i + 2
	}
	return i + 2 + int(der[i+1]&0x7f)
}

// skipElement returns the offset just past the DER element at i.
func skipElement(der []byte, i int) int {
	c := skipHeader(der, i)
	if c < 0 {
		return -1
	}
	n := 0
	if der[i+1] < 0x80 {
		n = int(der[i+1])
	} else {
		for _, b := range der[i+2 : c] {
			n = n<<8 | int(b)
		}
	}
	return c + n
}
