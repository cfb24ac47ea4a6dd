package chain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/zmap/zcrypto/tls"
	"github.com/zmap/zcrypto/x509"
)

// DefaultDialTimeout bounds one dial plus handshake when Dialer.Timeout is zero.
const DefaultDialTimeout = 10 * time.Second

// DefaultMaxHandshakeBytes caps what certlint reads from a server during one
// handshake when Dialer.MaxHandshakeBytes is zero. Real chains are a few KB;
// 1 MiB leaves room for absurd ones without letting a server stream forever.
const DefaultMaxHandshakeBytes = 1 << 20

// The kinds of handshake failure a caller may branch on; a *HandshakeError
// wraps one of them, or the underlying network error.
var (
	ErrNotTLS            = errors.New("not a TLS server")
	ErrHandshakeTooLarge = errors.New("handshake larger than the read cap")
	ErrNoCertificate     = errors.New("no certificate received")
)

// Dialer fetches served chains and replays device ClientHellos with zcrypto,
// which speaks TLS 1.0–1.3 and offers exactly the suites it is told to.
type Dialer struct {
	// Timeout bounds each dial plus handshake; zero means DefaultDialTimeout.
	// A deadline on the caller's context is honoured when it is sooner.
	Timeout time.Duration
	// MaxHandshakeBytes caps the bytes read per handshake; zero means
	// DefaultMaxHandshakeBytes.
	MaxHandshakeBytes int64
}

// HandshakeError is a handshake that yielded no certificate: where, and what
// the server did, in words a firmware engineer can act on.
type HandshakeError struct {
	Address string // host:port dialled
	Reason  string // e.g. "server sent TLS alert handshake_failure"
	Alert   string // the alert the server sent, if any
	Err     error  // the underlying error, or one of the Err* kinds
}

// Error reads "tls handshake with 192.0.2.1:443: connection refused".
func (e *HandshakeError) Error() string {
	return "tls handshake with " + e.Address + ": " + e.Reason
}

// Unwrap returns the underlying error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// genericSuites is the PC-like offer of Fetch: every suite zcrypto can
// complete, strongest first, with the TLS 1.3 suites listed explicitly
// because ForceSuites stops zcrypto from adding them itself.
// genericCurves are the groups of the generic hello: the classical ones,
// X25519 first, so the hello carries one 32-byte key share and stays
// well under one TCP segment. zcrypto's default leads with X25519MLKEM768,
// whose 1,216-byte share (and the X25519 fallback beside it) makes a hello
// of about 1.5 KB: servers and middleboxes that mishandle a ClientHello
// split over two segments fail it, and the generic handshake is the one
// certlint needs the served chain from. No device profile offers a
// post-quantum group.
var genericCurves = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}

var genericSuites = []uint16{
	tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
	tls.TLS_DHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_256_CBC_SHA256,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_RC4_128_SHA,
}

// emptyRoots keeps zcrypto from loading the system root pool on every
// handshake: it validates the chain for its handshake log even with
// InsecureSkipVerify, and parsing /etc/ssl/certs costs ~100 ms. certlint
// judges trust itself, against the device's anchor.
var emptyRoots = x509.NewCertPool()

// Fetch dials address:port with a generic, PC-like ClientHello (TLS 1.0–1.3,
// every suite zcrypto implements, SNI = serverName when not empty) and
// returns what was negotiated and the certificates the server sent, in
// served order. The chain is kept even when the handshake fails after the
// Certificate message. The error is non-nil only when no certificate at all
// was received; it is a *HandshakeError, and the Handshake still says what
// the server did.
func (d *Dialer) Fetch(ctx context.Context, address string, port int, serverName string) (*Handshake, []*Cert, error) {
	cfg := &tls.Config{
		InsecureSkipVerify: true,
		RootCAs:            emptyRoots,
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       genericSuites,
		ForceSuites:        true,
		CurvePreferences:   genericCurves,
	}
	a := d.run(ctx, address, port, cfg, 0, true)
	if len(a.certs) == 0 && errors.Is(a.err, ErrHandshakeTooLarge) && a.hs.Version == "TLS1.3" {
		a.readOverTLS12(d.run(ctx, address, port, tls12Only(cfg), 0, true))
	}
	if r := a.hs.ClientCert; r != nil {
		a.hs.Notes = append(a.hs.Notes, r.Note())
	}
	if len(a.certs) == 0 {
		return &a.hs, nil, a.noCertError()
	}
	return &a.hs, a.certs, nil
}

// tls12Only is cfg without TLS 1.3: its Certificate message is plaintext,
// so certlint's record reader can read one larger than zcrypto takes.
func tls12Only(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	c.MaxVersion = tls.VersionTLS12
	c.CipherSuites = nil
	for _, id := range cfg.CipherSuites {
		if id != tls.TLS_AES_128_GCM_SHA256 && id != tls.TLS_AES_256_GCM_SHA384 && id != tls.TLS_CHACHA20_POLY1305_SHA256 {
			c.CipherSuites = append(c.CipherSuites, id)
		}
	}
	return c
}

// readOverTLS12 takes the chain from a second attempt over TLS 1.2 when
// the TLS 1.3 one refused a Certificate message too large for zcrypto
// (encrypted, so the record reader could not see it). What was negotiated
// stays the first attempt's.
func (a *attempt) readOverTLS12(b attempt) {
	if len(b.certs) == 0 {
		return
	}
	a.certs, a.hs.Certificate, a.hs.Error, a.hs.Failure, a.err = b.certs, b.hs.Certificate, "", FailureNone, nil
	a.hs.Notes = append(append(a.hs.Notes, b.hs.Notes...),
		"with TLS 1.3 the server's Certificate message is encrypted and larger than certlint's TLS library reads: the chain was read in a second handshake limited to TLS 1.2")
}

// readOnTimeout bounds reading the rest of the server's flight after
// zcrypto gave up on its own (the connection's deadline still applies).
const readOnTimeout = 2 * time.Second

// readOn reads the Certificate message on with the record tap after zcrypto
// stopped before the certificates: a message larger than it takes (up to
// the TLS limit), or a failure of its own after the ServerHello (an
// extension it cannot handle). The chain then counts even though certlint
// cannot finish this handshake.
func (a *attempt) readOn(tap *recordTap, herr error) {
	large := announcedLength(herr) > 0
	if err := tap.readCertificate(); err != nil {
		if large {
			a.hs.Error, a.hs.Failure = fmt.Sprintf("server sent a %d-byte Certificate message; certlint could not read it: %v", tap.cert.msg.Bytes, err), FailureTooLarge
			a.err = fmt.Errorf("%w: %v", ErrHandshakeTooLarge, err)
		}
		return
	}
	certs, notes := tap.keptCerts()
	why := fmt.Sprintf("the server's Certificate message is %d bytes, more than certlint's TLS library reads (%d bytes): certlint read it with its own record reader and did not finish the handshake",
		tap.cert.msg.Bytes, maxHandshakeMessage)
	if !large {
		why = fmt.Sprintf("certlint's TLS library stopped after the ServerHello (%s); the certificates were read from the records that followed",
			strings.TrimPrefix(herr.Error(), "tls: "))
	}
	a.certs, a.hs.Notes = certs, append(append(a.hs.Notes, why), notes...)
	a.hs.Certificate = tap.message()
	a.hs.Error, a.hs.Failure, a.err, a.local = "", FailureNone, nil, true
	tap.negotiated(&a.hs)
}

// attempt is the outcome of one dial and handshake.
type attempt struct {
	address string
	hs      Handshake
	certs   []*Cert
	err     error // the raw failure, nil when the handshake completed
	local   bool  // the failure was certlint's (zcrypto gave up), not the server's
}

// noCertError explains why an attempt yielded no certificate.
func (a *attempt) noCertError() error {
	err := a.err
	reason := a.hs.Error
	if err == nil || reason == "" {
		err, reason = ErrNoCertificate, "the server sent no certificate"
	}
	return &HandshakeError{Address: a.address, Reason: reason, Alert: a.hs.Alert, Err: err}
}

// run dials and handshakes once with cfg, bounded by the Dialer's timeout,
// the context and the read cap, and reads the outcome from zcrypto's
// handshake log (which is filled even when the handshake fails). When the
// server asks for a client certificate and answer is set, it waits
// briefly for the server's answer to a handshake without one
// (Handshake.ClientCert says what it learned). cfg is built for this one
// handshake: run sets its GetClientCertificate.
func (d *Dialer) run(ctx context.Context, address string, port int, cfg *tls.Config, recordVersion uint16, answer bool) attempt {
	if d == nil {
		d = &Dialer{}
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a := attempt{address: net.JoinHostPort(address, strconv.Itoa(port))}
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", a.address)
	if err != nil {
		a.err, a.hs.Error, a.hs.Failure = err, describeDialError(err), FailureDial
		return a
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	limit := d.MaxHandshakeBytes
	if limit <= 0 {
		limit = DefaultMaxHandshakeBytes
	}
	tap := &recordTap{Conn: raw}
	capped := &cappedConn{Conn: tap, limit: limit}
	var wire net.Conn = capped
	if recordVersion != 0 {
		wire = &recordVersionConn{Conn: capped, version: recordVersion}
	}
	gate := newFlightGate(wire, tap)
	gate.resume = answer
	gate.limit, _ = ctx.Deadline()
	var request *tls.CertificateRequestInfo
	watchCertificateRequests(cfg, &request)
	conn := tls.Client(gate, cfg)
	herr := conn.HandshakeContext(ctx)
	log := conn.GetHandshakeLog()
	a.hs = negotiated(log)
	a.certs, a.hs.Notes = servedCerts(log)
	switch {
	case gate.resumed:
		a.fromTap(tap, true)
		a.hs.ClientCert = newClientCertRequest(request, "")
		a.hs.ClientCert.answerTLS12(herr)
		herr = nil
	case gate.gated:
		herr = a.takeFlight(tap, capped, herr)
	case request != nil && answer && herr == nil:
		a.hs.ClientCert = newClientCertRequest(request, "")
		a.hs.ClientCert.answerTLS13(ctx, conn, raw, func() int64 { return capped.read })
	case request != nil:
		a.hs.ClientCert = newClientCertRequest(request, "certlint does not wait for the server's answer to a device's hello")
	}
	if herr != nil {
		a.err = herr
		var rh tls.RecordHeaderError
		switch {
		case capped.exceeded:
			a.err = fmt.Errorf("%w (%d bytes): %v", ErrHandshakeTooLarge, limit, herr)
		case announcedLength(herr) > 0:
			a.err = fmt.Errorf("%w: %v", ErrHandshakeTooLarge, herr)
		case errors.As(herr, &rh) && strings.Contains(rh.Msg, "does not look like a TLS"):
			a.err = fmt.Errorf("%w: %v", ErrNotTLS, herr)
		}
		a.hs.Error, a.hs.Alert, a.hs.Failure = describeHandshakeError(herr, capped, log)
		a.local = isLocalFailure(herr, capped)
		if a.local && !versionOffered(cfg, log) {
			a.hs.Failure = FailureVersion // the server chose a version the hello did not offer
		}
		if a.local && len(a.certs) > 0 && a.hs.Failure != FailureVersion {
			// The server did its part (the chain is here); the failure is
			// certlint's own, e.g. a certificate zcrypto cannot parse.
			a.hs.Error, a.hs.Failure = "", FailureNone
		}
		if announcedLength(herr) > 0 && tap.cert != nil || a.local && len(a.certs) == 0 && tap.readable() {
			if announcedLength(herr) == 0 {
				// zcrypto gave up on its own; the rest of the server's
				// flight is already on its way, so wait briefly only.
				deadline := time.Now().Add(readOnTimeout)
				if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
					deadline = dl
				}
				_ = raw.SetReadDeadline(deadline)
			}
			a.readOn(tap, herr)
			return a
		}
	}
	if a.hs.Certificate = tap.message(); a.hs.Certificate == nil {
		a.hs.Certificate = loggedMessage(log)
	}
	return a
}

// takeFlight completes an attempt that the flight gate ended after the
// server's first flight: zcrypto logged the ServerHello, the tap followed
// the rest. It returns the handshake error that remains: nil when the
// flight was read, else the error that cut it short (the chain still
// counts when the Certificate message came whole).
func (a *attempt) takeFlight(tap *recordTap, capped *cappedConn, herr error) error {
	done := errors.Is(herr, errFirstFlight)
	// A failure of zcrypto's own is left to readOn, which says so.
	a.fromTap(tap, done || !isLocalFailure(herr, capped))
	if !done {
		return herr
	}
	if tap.certificateRequested {
		a.hs.ClientCert = &ClientCertRequest{Policy: ClientCertUnknown,
			Detail: "certlint ended the handshake after the server's first flight, before it would have to send one"}
	}
	if len(tap.alert) == 2 {
		a.hs.Error, a.hs.Alert, a.hs.Failure = describeAlert(AlertName(tls.Alert(tap.alert[1])), true)
		a.err = fmt.Errorf("remote error: %s", a.hs.Alert)
	}
	return nil
}

// fromTap fills in what the record tap followed and zcrypto did not log:
// the curve of the key exchange and, when certs is set, the chain.
func (a *attempt) fromTap(tap *recordTap, certs bool) {
	if a.hs.Curve == "" {
		a.hs.Curve = serverKeyExchangeCurve(tap.keyExchange)
	}
	if certs && len(a.certs) == 0 && tap.message() != nil {
		a.certs, a.hs.Notes = tap.keptCerts()
	}
}

// loggedMessage is the Certificate message zcrypto logged, measured from
// every certificate in it (also those past the chain cap), for when the
// record tap could not see it (TLS 1.3 encrypts it): its records are
// unknown. Nil when no certificate was logged.
func loggedMessage(log *tls.ServerHandshake) *CertificateMessage {
	if log == nil || log.ServerCertificates == nil {
		return nil
	}
	var sizes []int
	if raw := log.ServerCertificates.Certificate.Raw; len(raw) > 0 {
		sizes = append(sizes, len(raw))
	}
	for _, c := range log.ServerCertificates.Chain {
		sizes = append(sizes, len(c.Raw))
	}
	if len(sizes) == 0 {
		return nil
	}
	return NewCertificateMessage(sizes)
}

// negotiated reads the server's choices from the ServerHello in the log.
func negotiated(log *tls.ServerHandshake) Handshake {
	var hs Handshake
	if log == nil || log.ServerHello == nil {
		return hs
	}
	sh := log.ServerHello
	id := serverVersion(sh)
	if v, ok := VersionByID(id); ok {
		hs.Version = v.Display
	} else {
		hs.Version = fmt.Sprintf("0x%04x", id)
	}
	hs.CipherSuite = CipherSuiteName(uint16(sh.CipherSuite))
	switch {
	case sh.KeyShare != nil && sh.KeyShare.KeyExchange != nil:
		hs.Curve = CurveName(*sh.KeyShare.KeyExchange)
	case log.ServerKeyExchange != nil && log.ServerKeyExchange.ECDHParams != nil:
		hs.Curve = CurveName(tls.CurveID(log.ServerKeyExchange.ECDHParams.TLSCurveID))
	}
	return hs
}

// servedCerts turns the logged Certificate message into Certs, leaf first.
// Only the first MaxChainCerts are examined, as for a chain file; a note
// says so when the server sent more. Roles are left empty: the anchor code
// assigns them.
func servedCerts(log *tls.ServerHandshake) ([]*Cert, []string) {
	if log == nil || log.ServerCertificates == nil {
		return nil, nil
	}
	var sent []tls.SimpleCertificate
	if len(log.ServerCertificates.Certificate.Raw) > 0 {
		sent = append(sent, log.ServerCertificates.Certificate)
	}
	sent = append(sent, log.ServerCertificates.Chain...)
	var notes []string
	if len(sent) > MaxChainCerts {
		total := 0
		for _, s := range sent {
			total += len(s.Raw)
		}
		notes = append(notes, fmt.Sprintf("the server sent %d certificates (%d bytes); only the first %d were examined (certlint's chain cap); message-size and chain-size count all of them",
			len(sent), total, MaxChainCerts))
		sent = sent[:MaxChainCerts]
	}
	certs := make([]*Cert, 0, len(sent))
	for i, s := range sent {
		// zcrypto parsed the chain with the same parser when it could;
		// when it could not, newCert parses again to keep the error.
		c := newCert(s.Raw, s.Parsed)
		c.Source, c.Index = SourceServed, i
		certs = append(certs, c)
	}
	return certs, notes
}

// describeDialError says why the TCP connection failed.
func describeDialError(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listening on that port)"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset while connecting"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, context.Canceled):
		return "cancelled while connecting"
	case isTimeout(err):
		return "timed out connecting"
	}
	return "connect: " + err.Error()
}

// describeHandshakeError says what the server did to make the handshake
// fail, and the alert it sent if any.
func describeHandshakeError(err error, capped *cappedConn, log *tls.ServerHandshake) (reason, alert string, kind HandshakeFailure) {
	var op *net.OpError
	var alertErr tls.Alert
	var rh tls.RecordHeaderError
	answered := log != nil && log.ServerHello != nil
	switch {
	case capped.exceeded:
		return fmt.Sprintf("server sent more than %d bytes during the handshake (read cap hit)", capped.limit), "", FailureTooLarge
	case announcedLength(err) > 0:
		return fmt.Sprintf("server announced a %d-byte handshake message; certlint reads at most %d bytes per message (read cap hit, nothing more was read)",
			announcedLength(err), maxHandshakeMessage), "", FailureTooLarge
	case errors.As(err, &op) && op.Op == "remote error" && errors.As(err, &alertErr):
		return describeAlert(AlertName(alertErr), answered)
	case errors.As(err, &rh) && strings.Contains(rh.Msg, "does not look like a TLS"):
		return fmt.Sprintf("not a TLS server (its first bytes were %q)", rh.RecordHeader[:]), "", FailureNotTLS
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if answered {
			return "server closed the connection during the handshake", "", FailureClosed
		}
		return "server closed the connection without answering the ClientHello", "", FailureClosed
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset by the server during the handshake", "", FailureClosed
	case errors.Is(err, context.Canceled):
		return "cancelled during the handshake", "", FailureTimeout
	case isTimeout(err):
		switch {
		case answered:
			return "timed out during the handshake", "", FailureTimeout
		case capped.read > 0:
			// A drip-feeding server: every read succeeds, only the total
			// deadline ends it.
			return fmt.Sprintf("timed out: the server sent only %d bytes before the deadline (answering too slowly)", capped.read), "", FailureTimeout
		}
		return "timed out waiting for the server to answer the ClientHello", "", FailureTimeout
	}
	return "handshake failed: " + strings.TrimPrefix(err.Error(), "tls: "), "", FailureLocal
}

// describeAlert says that the server sent the fatal alert name, after a
// ServerHello when answered is true.
func describeAlert(name string, answered bool) (reason, alert string, kind HandshakeFailure) {
	return "server sent TLS alert " + name, name, AlertFailure(name, answered)
}

// serverVersion is the version the ServerHello chose (the supported_versions
// extension's, for TLS 1.3).
func serverVersion(sh *tls.ServerHello) uint16 {
	if sh.SupportedVersions != nil && sh.SupportedVersions.SelectedVersion != 0 {
		return uint16(sh.SupportedVersions.SelectedVersion)
	}
	return uint16(sh.Version)
}

// versionOffered reports whether the version the server chose (when it
// answered at all) is one the hello offered.
func versionOffered(cfg *tls.Config, log *tls.ServerHandshake) bool {
	if cfg == nil || log == nil || log.ServerHello == nil {
		return true
	}
	id := serverVersion(log.ServerHello)
	return (cfg.MinVersion == 0 || id >= cfg.MinVersion) && (cfg.MaxVersion == 0 || id <= cfg.MaxVersion)
}

// isLocalFailure reports whether certlint's side (zcrypto) gave up rather
// than the server: not an alert, close, reset, timeout, cap or non-TLS reply.
func isLocalFailure(err error, capped *cappedConn) bool {
	var op *net.OpError
	var rh tls.RecordHeaderError
	switch {
	case capped.exceeded, isTimeout(err), errors.As(err, &rh), announcedLength(err) > 0,
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return false
	case errors.As(err, &op) && op.Op == "remote error":
		return false
	}
	return true
}

// maxHandshakeMessage is zcrypto's limit on one handshake message
// (tls.maxHandshake, unexported): larger messages are refused at the header.
const maxHandshakeMessage = 65536

// announcedLength returns the length of the handshake message zcrypto
// refused as too large (the server announced it in the message header),
// or 0 for any other error. zcrypto reports it only as text.
func announcedLength(err error) int {
	if err == nil {
		return 0
	}
	var n, limit int
	msg := err.Error()
	i := strings.Index(msg, "handshake message of length ")
	if i < 0 {
		return 0
	}
	if _, serr := fmt.Sscanf(msg[i:], "handshake message of length %d bytes exceeds maximum of %d bytes", &n, &limit); serr != nil {
		return 0
	}
	return n
}

// isTimeout reports a deadline hit, from the socket or the context.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// cappedConn stops reading after limit bytes, so a server cannot make one
// handshake read without bound.
type cappedConn struct {
	net.Conn
	limit    int64
	read     int64
	exceeded bool
}

// Read reads at most up to the cap, then fails with ErrHandshakeTooLarge.
func (c *cappedConn) Read(p []byte) (int, error) {
	if c.read >= c.limit {
		c.exceeded = true
		return 0, ErrHandshakeTooLarge
	}
	if rest := c.limit - c.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.Conn.Read(p)
	c.read += int64(n)
	return n, err
}

// alertNames are the IANA names of TLS alerts (RFC 8446 §6 and the TLS
// alert registry), as reports and device error tables spell them.
var alertNames = map[tls.Alert]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
	45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error", 60: "export_restriction",
	70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
	86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
	109: "missing_extension", 110: "unsupported_extension", 111: "certificate_unobtainable",
	112: "unrecognized_name", 113: "bad_certificate_status_response",
	114: "bad_certificate_hash_value", 115: "unknown_psk_identity", 116: "certificate_required",
	120: "no_application_protocol",
}

// AlertName returns the IANA name of a TLS alert (handshake_failure), or
// alert_N for an unregistered value.
func AlertName(a tls.Alert) string {
	if n, ok := alertNames[a]; ok {
		return n
	}
	return "alert_" + strconv.Itoa(int(a))
}

// recordVersionConn rewrites the version in the header of the first record
// written, the ClientHello's, which zcrypto always sends as TLS 1.0: a device
// whose stack puts another value there is then replayed byte for byte.
type recordVersionConn struct {
	net.Conn
	version uint16
	written bool
}

func (c *recordVersionConn) Write(p []byte) (int, error) {
	if c.written || len(p) < 3 || p[0] != 0x16 {
		c.written = true
		return c.Conn.Write(p)
	}
	c.written = true
	q := append([]byte(nil), p...)
	q[1], q[2] = byte(c.version>>8), byte(c.version)
	return c.Conn.Write(q)
}
