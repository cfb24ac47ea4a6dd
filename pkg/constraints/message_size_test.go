package constraints

import (
	"testing"
	"time"

	"github.com/certlint/certlint/pkg/chain"
)

// sizedChain is an offline observation of certificates with the given DER
// sizes (unparsable bytes: only the sizes matter to message-size).
func sizedChain(sizes ...int) *chain.Observation {
	obs := &chain.Observation{Offline: true, CheckedAt: time.Now()}
	for i, n := range sizes {
		c := chain.NewCert(make([]byte, n))
		c.Source, c.Index = chain.SourceServed, i
		obs.Chain = append(obs.Chain, c)
	}
	return obs
}

// dialled marks an observation online, with the Certificate message the
// generic handshake saw, cut into the given records.
func dialled(obs *chain.Observation, records ...int) *chain.Observation {
	sizes := make([]int, 0, len(obs.Chain))
	for _, c := range obs.Served() {
		sizes = append(sizes, c.DERBytes())
	}
	obs.Offline = false
	obs.Certificate = chain.NewCertificateMessage(sizes)
	obs.Certificate.Records = records
	return obs
}

// receiving is a profile with only the receive path set (and the max
// fragment length it asks for), as the oracle's stack configurations are.
func receiving(maxMessage int, count string, reassembles *bool, maxRecord, mfl int) *Profile {
	return &Profile{ID: "stack", Name: "Stack",
		TLS:     TLSLimits{MaxFragmentLength: mfl},
		Receive: ReceiveLimits{MaxHandshakeMessageBytes: maxMessage, MessageCount: count, ReassemblesHandshake: reassembles, MaxRecordBytes: maxRecord}}
}

func TestMessageSize(t *testing.T) {
	// mbedTLS 2.28 with MBEDTLS_SSL_IN_CONTENT_LEN 4096: no reassembly, the
	// whole message (header included) must fit one 4,096-byte record.
	mbedtls := receiving(4096, CountWithHeader, boolp(false), 4096, 0)
	mbedtlsMFL := receiving(4096, CountWithHeader, boolp(false), 4096, 2048)
	// wolfSSL 5.5 with MAX_CERTIFICATE_SZ 4096: the body is counted.
	wolfssl := receiving(4096, CountBody, boolp(true), 0, 0)
	bearssl := receiving(0, "", boolp(true), 0, 0)
	unknown := receiving(0, "", nil, 0, 0)
	noReassembly := receiving(0, "", boolp(false), 0, 0)

	// Exactly what the device's own ClientHello got, max_fragment_length
	// included (an exact replay).
	helloWithMFL := func(obs *chain.Observation, p *Profile, records ...int) *chain.Observation {
		p.TLS.Extensions = []string{"max_fragment_length"}
		p.TLS.HelloKnown = chain.HelloFull
		msg := chain.NewCertificateMessage([]int{1500, 1500})
		msg.Records = records
		obs = withHello(obs, p, chain.Handshake{Version: "TLS1.2", Certificate: msg})
		obs.Hellos[p.HelloSpec().Key()].Exact = true
		return obs
	}
	// An exact hello that does not list max_fragment_length does not ask
	// for it, whatever tls.max_fragment_length says.
	exactWithoutMFL := receiving(4096, CountWithHeader, boolp(false), 4096, 2048)
	exactWithoutMFL.TLS.HelloKnown, exactWithoutMFL.TLS.Extensions = chain.HelloFull, []string{"server_name"}
	// An exact hello asking for 2,048-byte fragments that the server refused:
	// what it would have sent is unknown, the generic dial's records stand.
	refusedMFL := receiving(4096, CountWithHeader, boolp(false), 4096, 2048)
	refusedMFL.TLS.HelloKnown, refusedMFL.TLS.Extensions = chain.HelloFull, []string{"max_fragment_length"}
	refused := withHello(dialled(sizedChain(1500, 1500), 3013), refusedMFL, chain.Handshake{Error: "server sent TLS alert handshake_failure"})
	refused.Hellos[refusedMFL.HelloSpec().Key()].Exact = true
	// wolfSSL offering TLS 1.3, which the server agreed with its hello.
	wolfssl13 := receiving(4096, CountBody, boolp(true), 0, 0)
	wolfssl13.TLS.Versions = []string{"tls1.2", "tls1.3"}
	over13 := func(sizes ...int) *chain.Observation {
		return withHello(sizedChain(sizes...), wolfssl13, chain.Handshake{Version: "TLS1.3"})
	}
	oversize := sizedChain(1200, 1100)
	oversize.Certificate = &chain.CertificateMessage{Bytes: 3 + 301*3 + 341903, Certs: 301, DERBytes: 341903, Largest: 1200}
	oversize.Notes = []string{"the server sent 301 certificates"}

	tests := []struct {
		name  string
		obs   *chain.Observation
		p     *Profile
		wants []want
	}{
		{"mbedTLS: 4,083 DER bytes in two certificates make a 4,096-byte message and record: pass",
			sizedChain(2083, 2000), mbedtls, []want{
				{Severity: Pass, CertIndex: -1, Limit: 4096, Actual: 4096, Contains: []string{"4,096 bytes", "with the 4-byte handshake header", "4,083 bytes of certificates in 2 certificates"}},
				{Severity: Pass, CertIndex: -1, Actual: 1, Contains: []string{"arrives in one record", "offline chain", "assumed cut at 16,384 bytes"}},
				{Severity: Pass, CertIndex: -1, Limit: 4096, Actual: 4096}}},
		{"mbedTLS: 4,084 DER bytes make 4,097: the message and its record fail (-0x7200)",
			sizedChain(2084, 2000), mbedtls, []want{
				{Severity: Fail, CertIndex: -1, Limit: 4096, Actual: 4097, Contains: []string{"largest certificate is #0 at 2,084 bytes"}, Fix: "at most 4,083 bytes of certificates in all with 2 certificates"},
				{Severity: Pass, CertIndex: -1, Actual: 1},
				{Severity: Fail, CertIndex: -1, Limit: 4096, Actual: 4097, Fix: "records of at most 4,096 bytes"}}},
		{"wolfSSL: 4,087 DER bytes make a 4,096-byte body: pass",
			sizedChain(2087, 2000), wolfssl, []want{
				{Severity: Pass, CertIndex: -1, Limit: 4096, Actual: 4096, Contains: []string{"without the 4-byte handshake header"}}}},
		{"wolfSSL: 4,088 DER bytes make a 4,097-byte body: fail (-404)",
			sizedChain(2088, 2000), wolfssl, []want{
				{Severity: Fail, CertIndex: -1, Limit: 4096, Actual: 4097}}},
		{"wolfSSL over TLS 1.3: 4,082 DER bytes make a 4,096-byte body (request context, empty extensions): pass",
			over13(2082, 2000), wolfssl13, []want{
				{Severity: Pass, CertIndex: -1, Limit: 4096, Actual: 4096, Contains: []string{"TLS 1.3: 5 bytes per certificate"}}}},
		{"wolfSSL over TLS 1.3: 4,083 DER bytes make 4,097: fail",
			over13(2083, 2000), wolfssl13, []want{
				{Severity: Fail, CertIndex: -1, Limit: 4096, Actual: 4097}}},
		{"mbedTLS asking for 2,048-byte fragments, offline: the split depends on the server honouring it",
			sizedChain(1500, 1500), mbedtlsMFL, []want{
				{Severity: Pass, CertIndex: -1, Actual: 3013},
				{Severity: Warn, CertIndex: -1, Actual: 2, Contains: []string{"split over 2 records of 2,048 + 965 bytes", "if the server honours the 2,048-byte max_fragment_length", "cannot reassemble", "decides it"}},
				{Severity: Pass, CertIndex: -1, Actual: 2048}}},
		{"mbedTLS asking for 2,048-byte fragments, observed split by the server: fail (-0x7080)",
			helloWithMFL(sizedChain(1500, 1500), mbedtlsMFL, 2048, 965), mbedtlsMFL, []want{
				{Severity: Pass, CertIndex: -1, Actual: 3013},
				{Severity: Fail, CertIndex: -1, Actual: 2, Contains: []string{"as the server sent it to Stack's ClientHello asking for 2,048-byte fragments"}, Fix: "must not ask for 2,048-byte fragments"},
				{Severity: Pass, CertIndex: -1, Actual: 2048}}},
		{"mbedTLS asking for 2,048-byte fragments, a server that ignores it sends one record: pass",
			helloWithMFL(sizedChain(1500, 1500), mbedtlsMFL, 3013), mbedtlsMFL, []want{
				{Severity: Pass, CertIndex: -1, Actual: 3013},
				{Severity: Pass, CertIndex: -1, Actual: 1},
				{Severity: Pass, CertIndex: -1, Actual: 3013}}},
		{"an exact hello without the extension asks for no fragment length",
			sizedChain(1500, 1500), exactWithoutMFL, []want{
				{Severity: Pass, CertIndex: -1, Actual: 3013},
				{Severity: Pass, CertIndex: -1, Actual: 1},
				{Severity: Pass, CertIndex: -1, Actual: 3013}}},
		{"an exact hello with max_fragment_length the server refused: the split is a warning",
			refused, refusedMFL, []want{
				{Severity: Pass, CertIndex: -1, Actual: 3013},
				{Severity: Warn, CertIndex: -1, Actual: 2, Contains: []string{"did not get as far as the certificates"}},
				{Severity: Pass, CertIndex: -1, Actual: 2048}}},
		{"a live message in one record passes a device without reassembly",
			dialled(sizedChain(1500, 1500), 3013), noReassembly, []want{
				{Severity: Pass, CertIndex: -1, Actual: 1, Contains: []string{"as the server sent it"}}}},
		{"a live message the server split fails a device without reassembly",
			dialled(sizedChain(1500, 1500), 2000, 1013), noReassembly, []want{
				{Severity: Fail, CertIndex: -1, Actual: 2, Contains: []string{"2,000 + 1,013"}}}},
		{"a split message warns when reassembly is unknown",
			dialled(sizedChain(1500, 1500), 2000, 1013), unknown, []want{
				{Severity: Warn, CertIndex: -1, Actual: 2, Contains: []string{"is unknown"}}}},
		{"a message in one record skips when nothing is known",
			sizedChain(1500, 1500), unknown, []want{{Severity: Skip, CertIndex: -1, Contains: []string{"no known limit"}}}},
		{"a stack that reassembles and has no limit skips, even on a split message",
			dialled(sizedChain(1500, 1500), 2000, 1013), bearssl, []want{{Severity: Skip, CertIndex: -1}}},
		{"an offline message over 16,384 bytes is assumed split",
			sizedChain(9000, 9000), unknown, []want{
				{Severity: Warn, CertIndex: -1, Actual: 2, Contains: []string{"16,384 + 1,629"}}}},
		{"a 301-certificate chain past the 64-certificate cap is judged on all of it",
			oversize, mbedtls, []want{
				{Severity: Fail, CertIndex: -1, Actual: 4 + 3 + 301*3 + 341903, Contains: []string{"341,903 bytes of certificates in 301 certificates"}},
				{Severity: Fail, CertIndex: -1, Actual: 21},
				{Severity: Fail, CertIndex: -1, Actual: 16384}}},
		{"empty chain skips", &chain.Observation{}, mbedtls, []want{{Severity: Skip, CertIndex: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, checkByID(t, "message-size").Evaluate(tt.obs, tt.p), tt.wants)
		})
	}
}
