package constraints

import (
	"fmt"
	"slices"
	"strings"

	"github.com/certlint/certlint/pkg/chain"
)

func init() {
	Register(&Lint{
		Info: Info{ID: "message-size", Fields: []string{"receive.max_handshake_message_bytes", "receive.message_count", "receive.reassembles_handshake",
			"receive.max_record_bytes", "tls.max_fragment_length"},
			Description: "the Certificate message, as the server cuts it into records, fits how the device receives handshake messages"},
		Execute: messageSize,
	})
}

// messageSize checks the Certificate message as the device receives it: its
// size counted the way the device's stack counts it, whether the server
// split it over records the device cannot reassemble, and whether each
// record fits the device's record buffer. Measured with real stacks:
// mbedTLS 2.28 with IN_CONTENT_LEN 4096 takes a 4,096-byte message (header
// included) and refuses 4,097 (-0x7200); asking for a 2,048-byte max
// fragment length it refuses any message the server splits (-0x7080);
// wolfSSL with MAX_CERTIFICATE_SZ 4096 takes a 4,096-byte body and refuses
// 4,097 (-404).
func messageSize(obs *chain.Observation, p *Profile) []Finding {
	r := p.Receive
	msg, layouts, tls13 := certificateMessage(obs, p)
	if msg == nil {
		return skip("the server sent no certificates to measure")
	}
	reassembles, known := Bool(r.ReassemblesHandshake)
	anySplit := false
	for _, l := range layouts {
		anySplit = anySplit || len(l.records) > 1
	}
	if r.MaxHandshakeMessageBytes <= 0 && r.MaxRecordBytes <= 0 && (known && reassembles || !known && !anySplit) {
		return skip(p.Name + " has no known limit on the handshake messages or records it receives")
	}
	var out []Finding
	if r.MaxHandshakeMessageBytes > 0 {
		out = append(out, messageFinding(msg, tls13, p))
	}
	if !known || !reassembles {
		out = append(out, judgeLayouts(layouts, func(l recordLayout) Finding { return splitFinding(msg, l, p) }))
	}
	if r.MaxRecordBytes > 0 {
		out = append(out, judgeLayouts(layouts, func(l recordLayout) Finding { return recordFinding(l, p) }))
	}
	return out
}

// recordLayout is one way the Certificate message reaches the device: the
// plaintext length of each record carrying it, and how that is known.
type recordLayout struct {
	records []int
	how     string // "as the server sent it", "records not seen …", "if the server honours …"
}

// certificateMessage returns the message the device receives and the ways
// it may be cut into records. The device's own dial counts when it got the
// certificates; otherwise the generic one; offline, the message is computed
// from the chain and the records are assumed (the server's 16,384-byte
// maximum). When the device asks for a max fragment length the server's
// answer to was not observed, both outcomes are returned. tls13 says the
// device gets the message in TLS 1.3 framing.
func certificateMessage(obs *chain.Observation, p *Profile) (msg *chain.CertificateMessage, layouts []recordLayout, tls13 bool) {
	mflSent := false
	hello := helloResult(obs, p)
	if hello != nil && hello.Handshake.Certificate != nil {
		msg = hello.Handshake.Certificate
		mflSent = hello.Exact && slices.Contains(hello.Spec.Extensions, "max_fragment_length")
	}
	if msg == nil {
		msg = obs.Certificate
	}
	if msg == nil {
		served := obs.Served()
		if len(served) == 0 {
			return nil, nil, false
		}
		sizes := make([]int, len(served))
		for i, c := range served {
			sizes[i] = c.DERBytes()
		}
		msg = chain.NewCertificateMessage(sizes)
	}
	if msg.Certs == 0 {
		return nil, nil, false
	}
	unseen := unseenWhy(obs)
	if tls13 = deviceTLS13(obs, hello, p); tls13 {
		// TLS 1.3 frames the message differently (a 1-byte request
		// context, 2 bytes of extensions per certificate) and encrypts it:
		// what a TLS 1.2 handshake showed of its records does not apply.
		m := *msg
		m.Bytes += 1 + 2*m.Certs
		m.Records = nil
		msg, unseen = &m, "TLS 1.3 encrypts the Certificate message"
	}
	wire := msg.Bytes + handshakeHeaderBytes
	served := recordLayout{records: msg.Records, how: "as the server sent it"}
	if msg.Records == nil {
		served = recordLayout{records: cut(wire, MaxPlaintextRecord),
			how: fmt.Sprintf("records not seen (%s), assumed cut at %s bytes, the TLS maximum", unseen, Thousands(MaxPlaintextRecord))}
	}
	mfl := askedFragmentLength(p)
	if mfl <= 0 || mflSent {
		if mflSent {
			served.how = fmt.Sprintf("as the server sent it to %s's ClientHello asking for %s-byte fragments", p.Name, Thousands(mfl))
		}
		return msg, []recordLayout{served}, tls13
	}
	served.how = fmt.Sprintf("if the server ignores the %s-byte max_fragment_length %s asks for: %s", Thousands(mfl), p.Name, served.how)
	honoured := recordLayout{records: cut(wire, mfl),
		how: fmt.Sprintf("if the server honours the %s-byte max_fragment_length %s asks for (not observed: %s)", Thousands(mfl), p.Name, mflUnseenWhy(obs, hello))}
	return msg, []recordLayout{honoured, served}, tls13
}

// askedFragmentLength is the max_fragment_length the device asks for: the
// profile's size, unless its exact ClientHello leaves the extension out.
func askedFragmentLength(p *Profile) int {
	if p.HelloKnown() == chain.HelloFull && !slices.Contains(p.TLS.Extensions, "max_fragment_length") {
		return 0
	}
	return p.TLS.MaxFragmentLength
}

// unseenWhy says why the records of the Certificate message are not known.
func unseenWhy(obs *chain.Observation) string {
	if obs.Offline {
		return "offline chain"
	}
	return "the handshake did not show them"
}

// deviceTLS13 reports whether the device gets the Certificate message in
// TLS 1.3: its own handshake agreed TLS 1.3, or, without one, the generic
// handshake did and the device offers TLS 1.3. Offline, TLS 1.2 framing is
// assumed.
func deviceTLS13(obs *chain.Observation, hello *chain.HelloResult, p *Profile) bool {
	if hello != nil && hello.Handshake.Version != "" {
		return hello.Handshake.Version == "TLS1.3"
	}
	return obs.TLS != nil && obs.TLS.Version == "TLS1.3" && slices.Contains(p.TLS.Versions, "tls1.3")
}

// mflUnseenWhy says why the server's answer to max_fragment_length is not known.
func mflUnseenWhy(obs *chain.Observation, hello *chain.HelloResult) string {
	switch {
	case obs.Offline:
		return "offline chain"
	case hello != nil && hello.Exact:
		return "the handshake with the device's own ClientHello did not get as far as the certificates"
	}
	return "certlint's ClientHello for this device is approximated and does not ask for it"
}

// cut splits n bytes into records of at most size bytes.
func cut(n, size int) []int {
	var out []int
	for ; n > size; n -= size {
		out = append(out, size)
	}
	return append(out, n)
}

// judgeLayouts evaluates a finding under each layout. When they agree, the
// first answer stands; when the verdict depends on what the server does
// with max_fragment_length, the finding is a warning that says so.
func judgeLayouts(layouts []recordLayout, judge func(recordLayout) Finding) Finding {
	first := judge(layouts[0])
	for _, l := range layouts[1:] {
		if f := judge(l); f.Severity != first.Severity {
			worse := first
			if f.Severity.rank() > first.Severity.rank() {
				worse = f
			}
			worse.Severity = Warn
			worse.Message += "; whether the server honours max_fragment_length decides it"
			return worse
		}
	}
	return first
}

// counted returns the message size as the device counts it.
func counted(msg *chain.CertificateMessage, p *Profile) (int, string) {
	if p.Receive.MessageCount == CountBody {
		return msg.Bytes, "without the 4-byte handshake header"
	}
	return msg.Bytes + handshakeHeaderBytes, "with the 4-byte handshake header"
}

// messageFinding compares the message size with the largest handshake
// message the device takes.
func messageFinding(msg *chain.CertificateMessage, tls13 bool, p *Profile) Finding {
	limit := p.Receive.MaxHandshakeMessageBytes
	size, how := counted(msg, p)
	framing := "3 bytes per certificate, 3 bytes of list length"
	if tls13 {
		framing = "TLS 1.3: 5 bytes per certificate with empty extensions, 4 bytes of request context and list length"
	}
	f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: size,
		Message: fmt.Sprintf("the Certificate message is %s bytes counted as %s counts it, %s (%s bytes of certificates in %d %s, %s); %s takes handshake messages of at most %s bytes",
			Thousands(size), p.Name, how, Thousands(msg.DERBytes), msg.Certs, plural(msg.Certs, "certificate", "certificates"), framing, p.Name, Thousands(limit))}
	if size > limit {
		f.Severity = Fail
		budget := limit - (size - msg.DERBytes)
		f.Message += fmt.Sprintf("; the largest certificate is #%d at %s bytes", msg.LargestIndex, Thousands(msg.Largest))
		f.Fix = fmt.Sprintf("the service must send at most %s bytes of certificates in all with %d certificates (a smaller leaf, a shorter chain, ECDSA keys; a root it sends can be left out); until then connect through a proxy that presents a smaller chain",
			Thousands(max(budget, 0)), msg.Certs)
	}
	return f
}

// splitFinding says whether the server split the message over records and
// what that means for a device that does not (or may not) reassemble.
func splitFinding(msg *chain.CertificateMessage, l recordLayout, p *Profile) Finding {
	wire := msg.Bytes + handshakeHeaderBytes
	f := Finding{Severity: Pass, CertIndex: -1, Limit: 1, Actual: len(l.records)}
	if len(l.records) <= 1 {
		f.Message = fmt.Sprintf("the %s-byte Certificate message arrives in one record (%s)", Thousands(wire), l.how)
		return f
	}
	f.Message = fmt.Sprintf("the %s-byte Certificate message arrives split over %d records of %s bytes (%s)",
		Thousands(wire), len(l.records), recordList(l.records), l.how)
	if _, known := Bool(p.Receive.ReassemblesHandshake); !known {
		f.Severity = Warn
		f.Message += "; whether " + p.Name + " reassembles a handshake message split over records is unknown"
		return f
	}
	f.Severity = Fail
	f.Message += "; " + p.Name + " cannot reassemble a handshake message split over records"
	f.Fix = fmt.Sprintf("the whole Certificate message must fit in one record: at most %s bytes with its header (a smaller chain)", Thousands(largestRecordTaken(p)))
	if mfl := askedFragmentLength(p); mfl > 0 {
		f.Fix += fmt.Sprintf(", or the device must not ask for %s-byte fragments (tls.max_fragment_length)", Thousands(mfl))
	}
	f.Fix += "; until then connect through a proxy that presents a smaller chain"
	return f
}

// largestRecordTaken is the largest record the device can get the whole
// message in: the fragment length it asks for, its record buffer, the TLS
// maximum, whichever is smallest.
func largestRecordTaken(p *Profile) int {
	n := MaxPlaintextRecord
	for _, limit := range []int{askedFragmentLength(p), p.Receive.MaxRecordBytes} {
		if limit > 0 && limit < n {
			n = limit
		}
	}
	return n
}

// recordFinding compares the largest record carrying the message with the
// device's record buffer.
func recordFinding(l recordLayout, p *Profile) Finding {
	limit := p.Receive.MaxRecordBytes
	largest := slices.Max(l.records)
	f := Finding{Severity: Pass, CertIndex: -1, Limit: limit, Actual: largest,
		Message: fmt.Sprintf("the largest record carrying the Certificate message is %s bytes (%s); %s takes records of at most %s bytes (its record buffer)",
			Thousands(largest), l.how, p.Name, Thousands(limit))}
	if largest > limit {
		f.Severity = Fail
		f.Fix = fmt.Sprintf("the server must send records of at most %s bytes: a smaller chain", Thousands(limit))
		if reassembles, _ := Bool(p.Receive.ReassemblesHandshake); reassembles && askedFragmentLength(p) == 0 {
			f.Fix += ", or the device asks for a smaller max_fragment_length when the server supports it"
		}
		f.Fix += "; until then connect through a proxy that presents a smaller chain"
	}
	return f
}

// recordList reads "16,384 + 3,620".
func recordList(records []int) string {
	parts := make([]string, len(records))
	for i, n := range records {
		parts[i] = Thousands(n)
	}
	if len(parts) > 6 {
		parts = append(parts[:3], fmt.Sprintf("… (%d more) …", len(records)-4), parts[len(parts)-1])
	}
	return strings.Join(parts, " + ")
}
