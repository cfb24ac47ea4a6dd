package chain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/zmap/zcrypto/encoding/asn1"
	"github.com/zmap/zcrypto/tls"
	"github.com/zmap/zcrypto/x509/pkix"
)

// clientCertWait bounds the wait for a server's answer to a handshake
// without the client certificate it asked for: its Finished or an alert
// (TLS 1.2), or, after a TLS 1.3 handshake, which ends at the client's
// Finished, an alert, a session ticket or application data. Only servers
// that ask for a certificate are waited for.
const clientCertWait = time.Second

// clientCertStep is how long one read of that wait lasts: a server's
// answer that zcrypto takes in without returning from Read (a session
// ticket) is seen at the end of the step it arrived in. A record that
// arrives in pieces more than a step apart would be judged on its first
// piece; the server's first record after the handshake is a small alert
// or ticket, sent in one segment.
const clientCertStep = 20 * time.Millisecond

// clientCertDeadline is when the wait for the server's answer ends: after
// clientCertWait, or at limit when that comes sooner (zero: no limit).
func clientCertDeadline(limit time.Time) time.Time {
	d := time.Now().Add(clientCertWait)
	if !limit.IsZero() && limit.Before(d) {
		return limit
	}
	return d
}

// watchCertificateRequests makes cfg, which is built for one handshake,
// record the server's CertificateRequest in *req and answer it as a
// device without a client certificate does, with an empty Certificate
// message.
func watchCertificateRequests(cfg *tls.Config, req **tls.CertificateRequestInfo) {
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		*req = cri
		return &tls.Certificate{}, nil
	}
}

// newClientCertRequest is the request zcrypto saw (nil: it stopped before
// reading it), its policy unknown yet.
func newClientCertRequest(cri *tls.CertificateRequestInfo, detail string) *ClientCertRequest {
	r := &ClientCertRequest{Policy: ClientCertUnknown, Detail: detail}
	if cri == nil { // certlint's TLS library stopped before it read the request
		return r
	}
	for _, der := range cri.AcceptableCAs[:min(len(cri.AcceptableCAs), MaxAcceptableCAs)] {
		r.AcceptableCAs = append(r.AcceptableCAs, distinguishedName(der))
	}
	return r
}

// distinguishedName is a DER X.501 name in the form Cert.Subject uses.
func distinguishedName(der []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) > 0 {
		return fmt.Sprintf("(a %d-byte name certlint cannot parse)", len(der))
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdns)
	return n.String()
}

// remoteAlert returns the name of the fatal alert err reports the server
// sent, or "" when err is not a server's alert.
func remoteAlert(err error) string {
	var op *net.OpError
	var alert tls.Alert
	if errors.As(err, &op) && op.Op == "remote error" && errors.As(err, &alert) {
		return AlertName(alert)
	}
	return ""
}

// answerTLS12 judges the end of a TLS 1.2 handshake that certlint
// finished, without a client certificate, only because the server asked
// for one (flightGate.resumed): the server's Finished says it goes on
// without one, an alert that it requires one. The server's first flight,
// the chain included, was read before, so the handshake counts as
// completed whatever the answer.
func (r *ClientCertRequest) answerTLS12(herr error) {
	const sent = "certlint sent an empty Certificate message in TLS 1.2"
	switch alert := remoteAlert(herr); {
	case herr == nil:
		r.Policy, r.Detail = ClientCertOptional, sent+" and the server finished the handshake"
	case alert != "":
		r.Policy, r.Alert = ClientCertRequired, alert
		r.Detail = sent + " and the server refused it with alert " + alert + " (after sending its chain)"
	default:
		r.Detail = "certlint could not finish the TLS 1.2 handshake to learn it: " + strings.TrimPrefix(herr.Error(), "tls: ")
	}
}

// answerTLS13 waits briefly for what the server does after a TLS 1.3
// handshake in which it asked for a client certificate and got none: the
// client's Finished ends the handshake, so the server's verdict comes
// after it, in the first record it sends. A fatal alert means it requires
// one; application data, a session ticket or an orderly close mean it went
// on without one. read counts the bytes received so far. The wait polls in
// short steps, so a server that answers with a session ticket (which
// zcrypto takes without returning from Read) costs one step, not the
// whole clientCertWait.
func (r *ClientCertRequest) answerTLS13(ctx context.Context, conn *tls.Conn, raw net.Conn, read func() int64) {
	const sent = "certlint sent an empty Certificate message in TLS 1.3"
	limit, _ := ctx.Deadline()
	end := clientCertDeadline(limit)
	before := read()
	var buf [1]byte
	var n int
	var err error
	for {
		step := time.Now().Add(clientCertStep)
		if step.After(end) {
			step = end
		}
		_ = raw.SetReadDeadline(step)
		n, err = conn.Read(buf[:])
		if !isTimeout(err) || read() > before || !time.Now().Before(end) {
			break
		}
	}
	switch alert := remoteAlert(err); {
	case n > 0:
		r.Policy, r.Detail = ClientCertOptional, sent+" and the server went on to send application data"
	case alert != "":
		r.Policy, r.Alert = ClientCertRequired, alert
		r.Detail = sent + " and the server refused it with alert " + alert + " after the handshake (after sending its chain)"
	case read() > before:
		r.Policy, r.Detail = ClientCertOptional, sent+" and the server went on without an alert (a session ticket or an orderly close)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		r.Detail = sent + " and the server closed the connection without an alert"
	case isTimeout(err):
		r.Detail = fmt.Sprintf("certlint sent an empty Certificate message in TLS 1.3 and the server said nothing for %s after the handshake", clientCertWait)
	default:
		r.Detail = sent + " and reading the server's answer failed: " + strings.TrimPrefix(err.Error(), "tls: ")
	}
}
