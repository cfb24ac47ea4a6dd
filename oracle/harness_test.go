package oracle

import (
	"bytes"
	"slices"
	"testing"
)

// The pieces of TestOracle that need no probe: exact certificate sizes,
// the record re-cutting proxy and the reading of probe error lines.

func TestLeafOfSize(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		for _, total := range []int{4083, 4084, 16371} {
			ch, _ := sizedChain(t, n, total)
			if len(ch) != n {
				t.Fatalf("sizedChain(%d, %d): %d certificates", n, total, len(ch))
			}
			if got := len(ch.DER()); got != total {
				t.Errorf("sizedChain(%d, %d): %d DER bytes", n, total, got)
			}
		}
	}
}

func TestRecut(t *testing.T) {
	record := func(typ byte, body []byte) []byte {
		return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
	}
	hs := bytes.Repeat([]byte{'h'}, 2500)
	in := append(record(22, hs), record(20, []byte{1})...)
	in = append(in, record(22, bytes.Repeat([]byte{'e'}, 3000))...) // encrypted Finished: left alone
	var out bytes.Buffer
	recut(&out, bytes.NewReader(in), 1024)
	want := append(record(22, hs[:1024]), record(22, hs[1024:2048])...)
	want = append(want, record(22, hs[2048:])...)
	want = append(want, record(20, []byte{1})...)
	want = append(want, record(22, bytes.Repeat([]byte{'e'}, 3000))...)
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("recut: got %d bytes, want %d", out.Len(), len(want))
	}
}

func TestProbeCulprit(t *testing.T) {
	for _, tc := range []struct {
		stack, line string
		checks      []string
		index       []int
	}{
		{"mbedtls", "ERR SSL_INVALID_RECORD -0x7200", []string{"message-size"}, nil},
		{"mbedtls", "ERR X509_CERT_VERIFY_FAILED -0x2700 flags=EXPIRED|CN_MISMATCH depth=0", []string{"validity", "hostname"}, []int{0}},
		{"bearssl", "ERR BR_ERR_X509_DN_MISMATCH 55 depth=1", []string{"chain-complete", "trust-anchor"}, []int{1}},
		{"bearssl", "ERR BR_ERR_X509_NOT_TRUSTED 62 depth=end", []string{"trust-anchor", "chain-complete"}, nil},
		{"wolfssl", "ERR ASN_NO_SIGNER_E -188 verify=ASN_BEFORE_DATE_E depth=1", []string{"validity"}, []int{1}},
		{"wolfssl", "ERR HANDSHAKE_SIZE_ERROR -404", []string{"message-size"}, nil},
		{"wolfssl", "ERR SOMETHING_NEW -999", nil, nil},
	} {
		checks, index := probeCulprit(tc.stack, tc.line)
		if !slices.Equal(checks, tc.checks) || !slices.Equal(index, tc.index) {
			t.Errorf("probeCulprit(%s, %q) = %v, %v; want %v, %v", tc.stack, tc.line, checks, index, tc.checks, tc.index)
		}
	}
}

func TestCompare(t *testing.T) {
	c := config{name: "bearssl-default", stack: "bearssl"}
	stack := outcome{checks: []string{"validity"}, index: []int{0}}
	for _, tc := range []struct {
		name  string
		p, cl outcome
		agree bool
		why   string
	}{
		{"both connect", outcome{ok: true}, outcome{ok: true}, true, ""},
		{"verdicts differ", outcome{ok: true}, outcome{checks: []string{"validity"}, index: []int{0}}, false, "verdict"},
		{"same check and certificate", stack, outcome{checks: []string{"hostname", "validity"}, index: []int{0, 0}}, true, ""},
		{"other certificate", stack, outcome{checks: []string{"validity"}, index: []int{1}}, false, "culprit"},
		{"other check", stack, outcome{checks: []string{"hostname"}, index: []int{0}}, false, "culprit"},
		{"certlint names no certificate", stack, outcome{checks: []string{"validity"}, index: []int{-1}}, true, ""},
		{"unmapped error", outcome{text: "ERR X 1"}, outcome{checks: []string{"validity"}, index: []int{0}}, false, "stack error not mapped to a check"},
	} {
		r := compare("s", c, tc.p, tc.cl)
		if r.agree != tc.agree || r.why != tc.why {
			t.Errorf("%s: agree=%v why=%q; want %v %q", tc.name, r.agree, r.why, tc.agree, tc.why)
		}
	}
}
