package explain

import (
	"reflect"
	"testing"
)

func TestCodes(t *testing.T) {
	tab := &Table{Families: []*Family{
		{ID: "simplelink", Name: "SimpleLink", Devices: []string{"cc3200", "wipy"}, Entries: []*Entry{
			{Code: "-456", Devices: []string{"cc3200", "wipy"}},
			{Code: "-461", Devices: []string{"cc3200"}},
		}},
		{ID: "spwf", Name: "SPWF", Devices: []string{"spwf04"}, Entries: []*Entry{
			{Code: "Certificate Error:23", Devices: []string{"spwf04"}},
		}},
	}}
	for _, tt := range []struct {
		device string
		want   []CodeFamily
	}{
		{"", []CodeFamily{
			{"simplelink", "SimpleLink", []string{"cc3200", "wipy"}, []string{"-456", "-461"}},
			{"spwf", "SPWF", []string{"spwf04"}, []string{"Certificate Error:23"}},
		}},
		{"wipy", []CodeFamily{{"simplelink", "SimpleLink", []string{"cc3200", "wipy"}, []string{"-456"}}}},
		{"SPWF04@1.0", []CodeFamily{{"spwf", "SPWF", []string{"spwf04"}, []string{"Certificate Error:23"}}}},
		{"esp8266", nil},
	} {
		if got := tab.Codes(tt.device); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Codes(%q) = %v, want %v", tt.device, got, tt.want)
		}
	}
}
