package explain

import "testing"

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
