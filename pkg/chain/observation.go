package chain

import (
	"fmt"
	"strings"
	"time"

	"github.com/certlint/certlint/pkg/pin"
)

// Observation is everything certlint learned about one (target, address):
// the chain as served, how the name resolved, what the generic handshake
// negotiated, the anchor, and what each device's own ClientHello got. Offline
// inputs (a chain file) fill the same structure without a dial, so every
// check works the same on both.
type Observation struct {
	Target     string   // the target as the user gave it
	Host       string   // host name or IP literal, without port
	Port       int      // TCP port
	ServerName string   // SNI sent and name verified; empty for an IP without --servername
	CNAMEs     []string // the CNAME walk from Host, in order, without Host itself
	Address    string   // the IP address dialled; empty offline
	Offline    bool     // true when the chain came from a file, not a dial

	// CheckedAt is the device's clock (--at, default now); validity is
	// judged at this instant.
	CheckedAt time.Time

	// Until is the end of the device's planned service life (--until);
	// zero when not given. Certificates and held roots that expire before
	// it are reported.
	Until time.Time

	// TLS is what the generic (PC-like) handshake negotiated; nil offline.
	TLS *Handshake

	// Chain holds the served certificates in served order, then the
	// anchors of the devices' paths that the server did not send (their
	// Source says where each came from).
	Chain []*Cert

	// Anchor is the anchor of the first device's path (or, when it has
	// none, of the root that would complete it), also in Chain; nil when
	// none was found.
	Anchor *Cert

	// CAFiles are the CA files the device holds (--ca, repeatable), in the
	// order given; empty when none was given.
	CAFiles []*CAFile

	// Store is the root store a device with a built-in store holds, and
	// where the root to load is looked for; nil means StoreAnchors, the
	// embedded Mozilla roots.
	Store *Anchors

	// Paths holds each device's path through the chain, keyed by the
	// profile's selector (spwf04@1.0). AddPath fills it.
	Paths map[string]*Path

	// ClientCert is the device's own certificate bundle for mutual TLS
	// (--client-cert), nil when none was given. Its Bytes is the file size,
	// what the device stores in its certificate slot.
	ClientCert *CAFile

	// Certificate is the Certificate message as the generic handshake
	// received it (its size and the records that carried it); offline, its
	// size is computed from the chain and Records is nil. Nil when nothing
	// is known beyond Chain.
	Certificate *CertificateMessage

	// Hellos holds the result of dialling with each distinct device
	// ClientHello, keyed by HelloSpec.Key(). Empty offline.
	Hellos map[string]*HelloResult

	// Notes are facts about how the observation was made that a reader
	// should see (a cap that was hit, a fallback taken).
	Notes []string

	// Pins are what the device holds to recognise this server (--pin,
	// --pin-file), compared by the pin check; nil when none was given.
	Pins []pin.Pin
	// PinWarnDays is the warning window of the pin check (--warn-days): a
	// pin that breaks within it is a warning.
	PinWarnDays int

	// SNIServed is set when Chain is not what a client sending SNI gets:
	// for a device that sends no SNI and received the server's default
	// certificate, Chain is that default chain and SNIServed the chain a
	// client with SNI got. Nil otherwise.
	SNIServed []*Cert
}

// Served returns the certificates the server sent, in served order, without
// the anchor certlint appended.
func (o *Observation) Served() []*Cert {
	var served []*Cert
	for _, c := range o.Chain {
		if c.Source == SourceServed {
			served = append(served, c)
		}
	}
	return served
}

// AddPath records a device's path and lists its anchor (and the anchor of
// its Loadable path) in Chain when the server did not send it, so that
// every anchor has an index in the report. Call SetRoles after the last.
func (o *Observation) AddPath(key string, p *Path) {
	if o.Paths == nil {
		o.Paths = map[string]*Path{}
	}
	o.Paths[key] = p
	for q := p; q != nil; q = q.Loadable {
		if q.Anchor == nil {
			continue
		}
		if q.AnchorServed >= 0 {
			q.Anchor = o.Chain[q.AnchorServed]
		} else {
			q.Anchor = o.listAnchor(q.Anchor)
		}
		if o.Anchor == nil {
			o.Anchor = q.Anchor
		}
	}
}

// listAnchor returns the Chain entry for an anchor, appending it when it
// is not there yet.
func (o *Observation) listAnchor(a *Cert) *Cert {
	for _, c := range o.Chain {
		if c.SHA256 == a.SHA256 && c.Source == a.Source {
			return c
		}
	}
	o.Chain = append(o.Chain, a)
	a.Index = len(o.Chain) - 1
	return a
}

// SetRoles numbers Chain and names each certificate's role: leaf,
// intermediate, root, and unused for a served certificate that no
// device's effective path (see Path.Effective) goes through.
func (o *Observation) SetRoles() {
	AssignRoles(o.Chain)
	if len(o.Paths) == 0 {
		return
	}
	for i, c := range o.Chain {
		if c.Source != SourceServed || i == 0 {
			continue
		}
		used := false
		for _, p := range o.Paths {
			q := p.Effective()
			used = used || q.OnPath(i) || q.AnchorServed == i
		}
		if !used {
			c.Role = RoleUnused
		}
	}
}

// Handshake is what one TLS handshake negotiated, or how it failed.
type Handshake struct {
	Version     string // e.g. TLS1.2, as in the JSON report; empty if none was agreed
	CipherSuite string // IANA name; empty if none was agreed
	Curve       string // named group of the key exchange, when known
	// Alert is the TLS alert the server sent, e.g. "handshake_failure"; empty
	// when none was received.
	Alert string
	// Error is the failure in a sentence, empty when the handshake completed
	// (or got as far as the certificates, for a hello certlint cannot finish).
	Error string
	// Failure is the kind of failure, decided where the handshake ran, so
	// that checks branch on it rather than on the wording of Error. It is
	// FailureNone when Error is empty.
	Failure HandshakeFailure
	// Notes are facts about how this handshake was observed that a reader
	// should see, e.g. that only the first MaxChainCerts certificates of a
	// longer chain were examined.
	Notes []string
	// Certificate is the server's Certificate message as it arrived: its
	// size and the records that carried it. Nil when the handshake got no
	// plaintext Certificate message (refused earlier, or TLS 1.3, where it
	// is encrypted).
	Certificate *CertificateMessage
	// ClientCert is the server's request for a client certificate (mutual
	// TLS) and what certlint learned of its policy; nil when the server did
	// not ask, or the handshake ended before it could.
	ClientCert *ClientCertRequest
}

// ClientCertRequest is a server's CertificateRequest: it asks the client
// for a certificate of its own (mutual TLS, e.g. AWS IoT Core, or Azure IoT
// Hub with X.509 devices). certlint never sends one, so whether the server
// goes on without it tells whether it requires one.
type ClientCertRequest struct {
	// Policy is what the server did with certlint's handshake without a
	// client certificate.
	Policy ClientCertPolicy
	// Alert is the alert the server refused that handshake with; empty
	// when it sent none.
	Alert string
	// Detail says in a sentence how Policy was learned, or why it is
	// unknown.
	Detail string
	// AcceptableCAs are the distinguished names (RFC 4514 form) of the CAs
	// the server names as issuers of the client certificates it takes, in
	// its order, at most MaxAcceptableCAs; empty when it names none or
	// certlint did not read them.
	AcceptableCAs []string
}

// MaxAcceptableCAs bounds the CA names kept from one CertificateRequest.
const MaxAcceptableCAs = MaxChainCerts

// ClientCertPolicy is what a server does with a handshake that sends no
// client certificate.
type ClientCertPolicy string

// The client certificate policies.
const (
	// ClientCertRequired: the server refused the handshake without one.
	ClientCertRequired ClientCertPolicy = "required"
	// ClientCertOptional: the server went on without one.
	ClientCertOptional ClientCertPolicy = "optional"
	// ClientCertUnknown: the server asks; what it does without one was not
	// learned (a device hello ends after the server's first flight).
	ClientCertUnknown ClientCertPolicy = "unknown"
)

// Note is the request in a sentence for a report's notes, naming the
// first of the CAs the server lists.
func (r *ClientCertRequest) Note() string {
	var s string
	switch r.Policy {
	case ClientCertRequired:
		s = "the server requires a client certificate (mutual TLS): " + r.Detail
	case ClientCertOptional:
		s = "the server asks for a client certificate (mutual TLS) but accepts a handshake without one: " + r.Detail
	default:
		s = "the server asks for a client certificate (mutual TLS); whether it accepts a handshake without one is unknown: " + r.Detail
	}
	if len(r.AcceptableCAs) > 0 {
		s += "; it takes client certificates issued by " + r.Issuers()
	}
	return s
}

// Issuers names the first three CAs the server lists, and how many more.
func (r *ClientCertRequest) Issuers() string {
	const named = 3
	if n := len(r.AcceptableCAs); n > named {
		return fmt.Sprintf("%s and %d more CAs", strings.Join(r.AcceptableCAs[:named], "; "), n-named)
	}
	return strings.Join(r.AcceptableCAs, "; ")
}

// CertificateMessage is the server's Certificate handshake message as sent:
// how large it is and how the server cut it into records. A device that
// cannot reassemble a handshake message needs it in one record; a device
// with a small buffer needs it, or each record, to fit.
type CertificateMessage struct {
	// Bytes is the message body, without the 4-byte handshake header, as
	// the header announced it (TLS 1.2 framing: a 3-byte list length, then
	// each certificate with a 3-byte length).
	Bytes int
	// Certs is the number of certificates in the message and DERBytes their
	// total size; both count every certificate, also those past the
	// MaxChainCerts cap that Chain keeps.
	Certs    int
	DERBytes int
	// Largest is the size of the largest certificate and LargestIndex its
	// position in the message.
	Largest, LargestIndex int
	// Records holds the plaintext length of each record that carried part
	// of the message, in order; nil when the records are not known (an
	// offline chain; TLS 1.3, which encrypts them).
	Records []int
}

// NewCertificateMessage returns the Certificate message (TLS 1.2 framing)
// that carries certificates of the given DER sizes, with unknown records.
func NewCertificateMessage(derSizes []int) *CertificateMessage {
	m := &CertificateMessage{Bytes: 3}
	for i, n := range derSizes {
		m.Bytes += 3 + n
		m.add(i, n)
	}
	return m
}

// add counts one certificate of n DER bytes at position i.
func (m *CertificateMessage) add(i, n int) {
	m.Certs++
	m.DERBytes += n
	if n > m.Largest {
		m.Largest, m.LargestIndex = n, i
	}
}

// HandshakeFailure is the kind of failure that ended a handshake.
type HandshakeFailure string

// The kinds of handshake failure.
const (
	// FailureNone: the handshake completed, or got as far as the chain.
	FailureNone HandshakeFailure = ""
	// FailureVersion: no protocol version in common; the server sent a
	// protocol_version alert or chose a version the hello did not offer.
	FailureVersion HandshakeFailure = "version"
	// FailureNoSuite: no cipher suite in common; the server answered the
	// hello with handshake_failure or insufficient_security before
	// choosing anything.
	FailureNoSuite HandshakeFailure = "suite"
	// FailureAlert: the server sent another alert (Alert names it).
	FailureAlert HandshakeFailure = "alert"
	// FailureClosed: the server closed or reset the connection.
	FailureClosed HandshakeFailure = "closed"
	// FailureTimeout: the handshake ran out of time.
	FailureTimeout HandshakeFailure = "timeout"
	// FailureNotTLS: the server did not answer in TLS.
	FailureNotTLS HandshakeFailure = "not-tls"
	// FailureTooLarge: the server sent more than certlint reads.
	FailureTooLarge HandshakeFailure = "too-large"
	// FailureDial: no connection was made.
	FailureDial HandshakeFailure = "dial"
	// FailureLocal: certlint's TLS library gave up, not the server.
	FailureLocal HandshakeFailure = "local"
)

// AlertFailure classifies a fatal alert the server sent in answer to a
// hello; answered says whether a ServerHello came first.
func AlertFailure(alert string, answered bool) HandshakeFailure {
	switch {
	case alert == "protocol_version":
		return FailureVersion
	case !answered && (alert == "handshake_failure" || alert == "insufficient_security"):
		return FailureNoSuite
	}
	return FailureAlert
}

// OK reports whether the server agreed a version and suite.
func (h *Handshake) OK() bool { return h != nil && h.Error == "" && h.Version != "" }

// CAFile is the CA file a device holds, as the user gave it with --ca.
type CAFile struct {
	Path   string
	Format string // "der" or "pem"
	Bytes  int    // size of the file as the device stores it
	Certs  []*Cert
}

// HelloSpec is what a device offers in its ClientHello. Devices whose specs
// have the same Key share one dial.
type HelloSpec struct {
	Versions     []string // ssl3.0 … tls1.3, the device's supported versions
	CipherSuites []string // IANA names, in the device's offer order; empty = library default
	Curves       []string // named groups, e.g. secp256r1; empty = library default
	SNI          bool     // whether the device sends server_name

	// HelloVersion is the client_version field of the ClientHello (tls1.2);
	// empty = the newest of Versions.
	HelloVersion string
	// RecordVersion is the version in the header of the record that carries
	// the ClientHello; empty = tls1.0, what zcrypto sends.
	RecordVersion string
	// Compression lists the compression methods offered (null, deflate);
	// empty = null only.
	Compression []string
	// Extensions names the extensions in the device's order; read only when
	// Exact, since a partial list cannot be replayed.
	Extensions []string
	// SignatureAlgorithms lists the signature_algorithms entries (TLS 1.2
	// names such as rsa_pkcs1_sha256); empty = the library's default.
	SignatureAlgorithms []string
	// MaxFragmentLength is the size asked for with max_fragment_length.
	MaxFragmentLength int
	// Exact says the profile knows the whole hello, so certlint replays it
	// byte for byte (random and session ID aside) instead of approximating.
	Exact bool
}

// HelloResult is what the server did with one device ClientHello.
type HelloResult struct {
	Spec      HelloSpec
	Handshake Handshake
	// Chain is what the server sent to this hello (it can differ from the
	// generic chain, e.g. the default certificate for a hello without SNI).
	Chain []*Cert
	// Exact reports that the hello went out as the spec describes it, built
	// field by field (zcrypto's ClientFingerprintConfiguration).
	Exact bool
	// Approximations says where the hello sent differs from the device's,
	// and why; empty when Exact and nothing had to give way.
	Approximations []string
}
