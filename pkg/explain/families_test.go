package explain

import "testing"

// TestStackFamilies covers the open-stack code families: one lookup per
// family and code the issue names, by the form a user pastes (a log line,
// a bare number, the constant), with the device that prints it, and the
// check that detects the cause.
func TestStackFamilies(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		input, device, code, check string
	}{
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
		if !contains(got[0].Checks, tt.check) {
			t.Errorf("%q checks %v, want %s among them", tt.code, got[0].Checks, tt.check)
		}
	}
	// A BearSSL number is not an mbedTLS device's: the device narrows.
	if got, err := tab.Explain("62", "esp32"); err == nil {
		t.Errorf("Explain(62, esp32) = %v, want no match", codes(got))
	}
}
