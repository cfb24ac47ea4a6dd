package explain

import (
	"errors"
	"strings"
	"testing"
)

func loadTable(t *testing.T) *Table {
	t.Helper()
	tab, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tab
}

// TestEveryDocumentedCodeIsFound explains every example line of every entry
// (for the entry's own devices and for all devices) and checks the entry is
// among the answers.
func TestEveryDocumentedCodeIsFound(t *testing.T) {
	tab := loadTable(t)
	n := 0
	for _, e := range tab.Entries("") {
		if len(e.Examples) == 0 {
			t.Errorf("%s %q has no example line to test", e.Family, e.Code)
		}
		for _, ex := range e.Examples {
			for _, dev := range append([]string{""}, e.Devices...) {
				got, err := tab.Explain(ex, dev)
				if err != nil {
					t.Errorf("Explain(%q, %q): %v", ex, dev, err)
					continue
				}
				if !containsEntry(got, e) {
					t.Errorf("Explain(%q, %q) = %v, want it to include %q", ex, dev, codes(got), e.Code)
				}
				n++
			}
		}
	}
	if n < 150 {
		t.Errorf("only %d example lookups ran; the table lost entries", n)
	}
}

// TestEveryEntryIsComplete checks each entry cites a source with a known
// confidence and says what it means, why, and what to do.
func TestEveryEntryIsComplete(t *testing.T) {
	tab := loadTable(t)
	confidences := map[string]bool{"vendor-doc": true, "vendor-source": true, "vendor-forum": true, "field-report": true, "inferred": true}
	statuses := map[string]bool{}
	for _, s := range Statuses {
		statuses[s] = true
	}
	for _, e := range tab.Entries("") {
		if e.Code == "" || e.Meaning == "" || e.Cause == "" || e.Fix == "" || len(e.Patterns) == 0 || len(e.Devices) == 0 {
			t.Errorf("%s %q: code, meaning, cause, fix, patterns and devices are required: %+v", e.Family, e.Code, e)
		}
		if !statuses[e.Status] {
			t.Errorf("%q: status %q, want one of %v", e.Code, e.Status, Statuses)
		}
		if len(e.Sources) == 0 {
			t.Errorf("%q has no source", e.Code)
		}
		for _, s := range e.Sources {
			if s.Ref == "" || !confidences[s.Confidence] {
				t.Errorf("%q: source %+v needs a ref and a known confidence", e.Code, s)
			}
		}
	}
}

// TestRequiredCodes pins the codes issues 5 and 13 name, with the checks
// that detect them.
func TestRequiredCodes(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		input, device, code, check string
	}{
		{"AT-S.Certificate Error:23", "", "Certificate Error:23", "trust-anchor"},
		{"at-s.certificate error:22", "spwf04", "Certificate Error:22", "key-size"},
		{"Certificate Error:3", "spwf04", "Certificate Error:3", "ca-file"},
		{"AT-S.No SubjectKeyId", "", "No SubjectKeyId", "ca-file"},
		{"AT-S.Skip CA", "", "Skip CA", "trust-anchor"},
		{"AT-S.Http Client Error:1", "", "Http Client Error:1", ""},
		{"AT-S.Http Client Error:2", "", "Http Client Error:2", "cert-size"},
		{"AT-S.ERROR:111:Request failed", "", "ERROR:111", "trust-anchor"},
		{"AT-S.ERROR:74:Failed to open socket", "", "ERROR:74", "ca-file"},
		{"OSError: 456", "wipy", "-456 SL_ESECBADCAFILE", "ca-file"},
		{"-456", "cc3200", "-456 SL_ESECBADCAFILE", "ca-file"},
		{"OSError: 208", "", "-208 SL_ESEC_SOCKET_ERROR_E", "tls-version"},
		{"sl_Connect returned -208", "cc3200", "-208 SL_ESEC_SOCKET_ERROR_E", "cipher-suite"},
		{"OSError: [Errno 111] ECONNREFUSED", "wipy", "-111 SL_ECONNREFUSED", ""},
		{"-155", "", "-155 SL_ESEC_ASN_SIG_CONFIRM_E", "trust-anchor"},
		{"-453", "cc3200", "-453 SL_ESECSNOVERIFY", "trust-anchor"},
		{"-454", "cc3200", "-454 SL_ESECNOCAFILE", "ca-file"},
		{"OSError: 461", "wipy", "-461 SL_ESECDATEERROR", "validity"},
		{"ERROR: Unable to load CA certificate", "spwf01", "ERROR: Unable to load CA certificate", "ca-file"},
		// The open stacks (issue 13): BearSSL, mbedTLS / esp-tls, axTLS, wolfSSL.
		{"Last SSL error was: 62", "esp8266", "62 BR_ERR_X509_NOT_TRUSTED", "trust-anchor"},
		{"SSL error: Chain could not be linked to a trust anchor.", "esp8266", "62 BR_ERR_X509_NOT_TRUSTED", "trust-anchor"},
		{"54", "esp8266", "54 BR_ERR_X509_EXPIRED", "validity"},
		{"BR_ERR_X509_BAD_SERVER_NAME", "", "56 BR_ERR_X509_BAD_SERVER_NAME", "hostname"},
		{"getLastSSLError() = 50", "esp8266", "50 BR_ERR_X509_LIMIT_EXCEEDED", "key-size"},
		{"E (5123) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700", "esp32", "-0x2700 MBEDTLS_ERR_X509_CERT_VERIFY_FAILED", "trust-anchor"},
		{"-0x7200", "nina-w10", "-0x7200 MBEDTLS_ERR_SSL_INVALID_RECORD", "message-size"},
		{"mbedtls_ssl_handshake returned -0x7080", "esp32", "-0x7080 MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE", "message-size"},
		{"-0x7780", "", "-0x7780 MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE", "cipher-suite"},
		{"I (5120) esp-x509-crt-bundle: No matching trusted root certificate found", "esp32", "No matching trusted root certificate found", "trust-anchor"},
		{"OSError: (-257, 'RECORD_OVERFLOW')", "esp8266-micropython", "-257 SSL_ERROR_RECORD_OVERFLOW", "message-size"},
		{"-266", "esp8266-micropython", "-266 SSL_ERROR_NO_CIPHER", "cipher-suite"},
		{"wolfSSL_connect error -188", "", "-188 ASN_NO_SIGNER_E", "trust-anchor"},
		{"HANDSHAKE_SIZE_ERROR", "", "-404 HANDSHAKE_SIZE_ERROR", "message-size"},
		{"ASN_SIG_CONFIRM_E", "wolfssl", "-155 ASN_SIG_CONFIRM_E", "signature"},
		// SimpleLink Gen2 (CC3220): TI's own codes, and wolfSSL's shifted by -500.
		{"sl_Connect returned -468", "cc3220", "-468 SL_ERROR_BSD_ESECUNKNOWNROOTCA", ""},
		{"SL_ERROR_BSD_ESECUNKNOWNROOTCA", "", "-468 SL_ERROR_BSD_ESECUNKNOWNROOTCA", ""},
		{"-456", "cc3220", "-456 SL_ERROR_BSD_ESECBADCAFILE", "ca-file"},
		{"-461", "cc3220", "-461 SL_ERROR_BSD_ESECDATEERROR", "validity"},
		{"-688", "", "-688 SL_ERROR_BSD_ESEC_ASN_NO_SIGNER_E", "trust-anchor"},
		{"-655", "cc3220", "-655 SL_ERROR_BSD_ESEC_ASN_SIG_CONFIRM_E", "trust-anchor"},
		{"SL_ERROR_BSD_ESEC_DOMAIN_NAME_MISMATCH", "", "-722 SL_ERROR_BSD_ESEC_DOMAIN_NAME_MISMATCH", "hostname"},
		{"-768", "cc3220", "-768 SL_ERROR_BSD_ESEC_MAX_CHAIN_ERROR", "chain-depth"},
	} {
		got, err := tab.Explain(tt.input, tt.device)
		if err != nil {
			t.Errorf("Explain(%q, %q): %v", tt.input, tt.device, err)
			continue
		}
		if len(got) != 1 || got[0].Code != tt.code {
			t.Errorf("Explain(%q, %q) = %v, want exactly %q", tt.input, tt.device, codes(got), tt.code)
			continue
		}
		if tt.check != "" && !contains(got[0].Checks, tt.check) {
			t.Errorf("%q checks %v, want %s among them", tt.code, got[0].Checks, tt.check)
		}
	}
}

func TestLineWithSeveralCodes(t *testing.T) {
	tab := loadTable(t)
	got, err := tab.Explain("AT-S.Skip CA  AT-S.Certificate Error:23  AT-S.ERROR:111:Request failed", "spwf04")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Skip CA", "Certificate Error:23", "ERROR:111"}; strings.Join(codes(got), "|") != strings.Join(want, "|") {
		t.Errorf("got %v, want %v in log order", codes(got), want)
	}
	// The SimpleLink name is longer than the SPWF04 alert pattern inside it.
	got, err = tab.Explain("SL_ESEC_CERTIFICATE_UNKNOWN", "")
	if err != nil || len(got) != 1 || got[0].Number != -346 {
		t.Errorf("SL_ESEC_CERTIFICATE_UNKNOWN = %v, %v; want only -346", codes(got), err)
	}
}

func TestDeviceNarrows(t *testing.T) {
	tab := loadTable(t)
	// 111 is a SimpleLink code (both generations) and an SPWF04 AT error id.
	all, err := tab.Explain("111", "")
	if err != nil || len(all) != 3 {
		t.Fatalf("Explain(111) = %v, %v; want the SPWF04 and both SimpleLink entries", codes(all), err)
	}
	one, err := tab.Explain("111", "spwf04@1.0")
	if err != nil || len(one) != 1 || one[0].Code != "ERROR:111" {
		t.Errorf("Explain(111, spwf04@1.0) = %v, %v", codes(one), err)
	}
	if _, err := tab.Explain("ValueError: invalid argument(s) value", "cc3200"); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("a WiPy-only message explained for cc3200: %v", err)
	}
}

func TestUnknownCode(t *testing.T) {
	tab := loadTable(t)
	for _, in := range []string{"Certificate Error:99", "banana", "12345"} {
		if _, err := tab.Explain(in, ""); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("Explain(%q) error = %v, want ErrUnknownCode", in, err)
		}
	}
	if _, err := tab.Explain("  ", ""); err == nil {
		t.Error("empty input explained")
	}
	// Every built-in device has codes now; a table without the device's
	// family stands in for one that has none.
	partial := &Table{Families: tab.Families[:1]}
	if _, err := partial.Explain("23", "atwinc1500"); err == nil || errors.Is(err, ErrUnknownCode) {
		t.Errorf("a device without a table should say so, got %v", err)
	}
	if got := tab.Devices(); strings.Join(got, ",") != "atwinc1500,cc3200,cc3220,esp32,esp8266,esp8266-micropython,nina-w10,spwf01,spwf04,wipy,wolfssl" {
		t.Errorf("Devices() = %v", got)
	}
}

func containsEntry(list []*Entry, e *Entry) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func codes(list []*Entry) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Code)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPastedForms: what users paste — any case and spacing, typographic
// minus signs, a code whose number alone is known — finds the entry, and
// Lookup says how it was found.
func TestPastedForms(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		input, by, code string
	}{
		{"AT-S.CERTIFICATE   error : 23", "pattern", "Certificate Error:23"},
		{"\u2212456", "number", "-456 SL_ESECBADCAFILE"},
		{"  -456  ", "number", "-456 SL_ESECBADCAFILE"},
		{"Error:3", "number", "Certificate Error:3"},
		{"error:22", "number", "Certificate Error:22"},
		{"ERROR:\t 3", "number", "Certificate Error:3"},
	} {
		a, err := tab.Lookup(tt.input, "")
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.input, err)
			continue
		}
		if a.By != tt.by || len(a.Entries) == 0 || a.Entries[0].Code != tt.code {
			t.Errorf("Lookup(%q) = by %s %v, want by %s %s", tt.input, a.By, codes(a.Entries), tt.by, tt.code)
		}
	}
	_, err := tab.Lookup("Certificate Error:99", "spwf04")
	if err == nil || !strings.Contains(err.Error(), "known codes of spwf04, and the number 99") {
		t.Errorf("unknown code error = %v, want what was tried", err)
	}
	if _, err := tab.Lookup("error 1 and 2", ""); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("a line with two numbers and no code is guessed: %v", err)
	}
}

// TestPinCodes pins the log lines of a pin that no longer matches (issue
// 17) to the pin check.
func TestPinCodes(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct{ input, device, code string }{
		{"BSSL:insecure_end_chain: Received cert FP doesn't match", "esp8266", "insecure_end_chain: Received cert FP doesn't match"},
		{"BSSL:insecure_end_chain: received 85 41 43 19 ca 5a 2e 57 4b 0b d1 c9 44 93 5d f8 eb 30 00 73", "", "insecure_end_chain: Received cert FP doesn't match"},
		{"certificate doesn't match", "esp8266@2.4", "certificate doesn't match"},
		{"BSSL:setFingerprint: Garbage at end of fp", "esp8266", "setFingerprint: Invalid char / FP too short / Garbage at end of fp"},
		{"[HTTP] GET... failed, error: connection refused", "esp8266", "HTTPClient: connection refused / connection failed (-1)"},
	} {
		got, err := tab.Explain(tt.input, tt.device)
		if err != nil || len(got) != 1 || got[0].Code != tt.code || !contains(got[0].Checks, "pin") {
			t.Errorf("Explain(%q, %q) = %v, %v; want %q detected by pin", tt.input, tt.device, codes(got), err, tt.code)
		}
	}
}
