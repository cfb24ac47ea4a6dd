package explain

import (
	"errors"
	"strings"
	"testing"
)

// TestStackNumbersNarrowByDevice: a BearSSL number means nothing on an
// mbedTLS device, so the device narrows it away.
func TestStackNumbersNarrowByDevice(t *testing.T) {
	tab := loadTable(t)
	if got, err := tab.Explain("62", "esp32"); err == nil {
		t.Errorf("Explain(62, esp32) = %v, want no match", codes(got))
	}
	if got, err := tab.Explain("62", "esp8266"); err != nil || len(got) != 1 || got[0].Code != "62 BR_ERR_X509_NOT_TRUSTED" {
		t.Errorf("Explain(62, esp8266) = %v, %v", codes(got), err)
	}
}

// TestWINCCodes pins the ATWINC1500 family: the socket codes of the host
// driver, the TLS detail of get_error_detail (driver 19.7.x) and the line a
// WiFi101 sketch prints, each with the check that detects its cause.
func TestWINCCodes(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		input, device, code, status, check string
	}{
		{"-12", "atwinc1500", "-12 SOCK_ERR_CONN_ABORTED", "documented", "trust-anchor"},
		{"Connection Failed, Error: -12", "atwinc1500", "-12 SOCK_ERR_CONN_ABORTED", "documented", "cipher-suite"},
		{"SOCK_ERR_CONN_ABORTED", "", "-12 SOCK_ERR_CONN_ABORTED", "documented", "key-size"},
		{"s8Error = -13", "atwinc1500", "-13 SOCK_ERR_TIMEOUT", "documented", ""},
		{"SOCKET_ERR_TLS_LOCAL", "", "SOCKET_ERR_TLS_LOCAL (enuErrSource 2)", "documented", ""},
		{"enuErrSource = 1", "atwinc1500", "SOCKET_ERR_TLS_REMOTE (enuErrSource 1)", "documented", "cipher-suite"},
		{"u8ErrCode = 48", "atwinc1500", "u8ErrCode 48 unknown_ca", "documented", "trust-anchor"},
		{"48", "", "u8ErrCode 48 unknown_ca", "documented", "trust-anchor"},
		{"45", "atwinc1500", "u8ErrCode 45 certificate_expired", "documented", "validity"},
		{"u8ErrCode 40", "atwinc1500", "u8ErrCode 40 handshake_failure", "documented", "cipher-suite"},
		{"43", "atwinc1500", "u8ErrCode 43 unsupported_certificate", "documented", "key-type"},
		{"70", "atwinc1500", "u8ErrCode 70 protocol_version", "documented", "tls-version"},
		{"Starting connection to server... disconnecting from server.", "atwinc1500", "disconnecting from server.", "observed", "trust-anchor"},
	} {
		got, err := tab.Explain(tt.input, tt.device)
		if err != nil || len(got) != 1 || got[0].Code != tt.code {
			t.Errorf("Explain(%q, %q) = %v, %v; want exactly %q", tt.input, tt.device, codes(got), err, tt.code)
			continue
		}
		if got[0].Status != tt.status {
			t.Errorf("%q status %q, want %q", tt.code, got[0].Status, tt.status)
		}
		if tt.check != "" && !contains(got[0].Checks, tt.check) {
			t.Errorf("%q checks %v, want %s among them", tt.code, got[0].Checks, tt.check)
		}
	}
	// get_error_detail's two fields in one line are two answers, in order.
	got, err := tab.Explain("get_error_detail: SOCKET_ERR_TLS_LOCAL, u8ErrCode 48", "atwinc1500")
	if want := "SOCKET_ERR_TLS_LOCAL (enuErrSource 2)|u8ErrCode 48 unknown_ca"; err != nil || strings.Join(codes(got), "|") != want {
		t.Errorf("source and alert = %v, %v; want %s", codes(got), err, want)
	}
}

// TestWINCNumbersShared: the WINC's small socket numbers are other
// families' numbers too; a bare number lists every family's, and the
// device narrows to its own.
func TestWINCNumbersShared(t *testing.T) {
	tab := loadTable(t)
	for _, tt := range []struct {
		input, device string
		want          []string
	}{
		{"-3", "", []string{"Certificate Error:3", "-3 SOCK_ERR_MAX_TCP_SOCK"}},
		{"3", "spwf04", []string{"Certificate Error:3"}},
		{"-3", "atwinc1500", []string{"-3 SOCK_ERR_MAX_TCP_SOCK"}},
		{"-12", "", []string{"-12 SOCK_ERR_CONN_ABORTED"}},
		{"111", "", []string{"-111 SL_ECONNREFUSED", "-111 SL_ERROR_BSD_ECONNREFUSED", "ERROR:111"}},
	} {
		got, err := tab.Explain(tt.input, tt.device)
		if err != nil || strings.Join(codes(got), "|") != strings.Join(tt.want, "|") {
			t.Errorf("Explain(%q, %q) = %v, %v; want %v", tt.input, tt.device, codes(got), err, tt.want)
		}
	}
	for _, tt := range []struct{ input, device string }{{"-12", "cc3200"}, {"-12", "esp32"}, {"111", "atwinc1500"}} {
		if got, err := tab.Explain(tt.input, tt.device); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("Explain(%q, %q) = %v, %v; want ErrUnknownCode", tt.input, tt.device, codes(got), err)
		}
	}
}
