package chain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/certlint/certlint/pkg/chain"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want chain.Target
	}{
		{"example.com", chain.Target{Host: "example.com", Port: 443, ServerName: "example.com"}},
		{"  Example.COM.  ", chain.Target{Host: "example.com", Port: 443, ServerName: "example.com"}},
		{"hub.azure-devices.net:8883", chain.Target{Host: "hub.azure-devices.net", Port: 8883, ServerName: "hub.azure-devices.net"}},
		{"192.0.2.1", chain.Target{Host: "192.0.2.1", Port: 443}},
		{"192.0.2.1:8443", chain.Target{Host: "192.0.2.1", Port: 8443}},
		{"2001:db8::1", chain.Target{Host: "2001:db8::1", Port: 443}},
		{"[2001:db8::1]", chain.Target{Host: "2001:db8::1", Port: 443}},
		{"[2001:db8::1]:5671", chain.Target{Host: "2001:db8::1", Port: 5671}},
		{"https://example.com", chain.Target{Host: "example.com", Port: 443, ServerName: "example.com"}},
		{"https://example.com/path?q=1", chain.Target{Host: "example.com", Port: 443, ServerName: "example.com"}},
		{"HTTPS://example.com:8443/", chain.Target{Host: "example.com", Port: 8443, ServerName: "example.com"}},
		{"mqtts://hub.example.net", chain.Target{Host: "hub.example.net", Port: 8883, ServerName: "hub.example.net"}},
		{"mqtts://hub.example.net:1883", chain.Target{Host: "hub.example.net", Port: 1883, ServerName: "hub.example.net"}},
		{"amqps://bus.example.net", chain.Target{Host: "bus.example.net", Port: 5671, ServerName: "bus.example.net"}},
		{"https://[2001:db8::2]:444", chain.Target{Host: "2001:db8::2", Port: 444}},
		{"https://user@example.com", chain.Target{Host: "example.com", Port: 443, ServerName: "example.com"}},
		// An internationalised name is dialled and sent as SNI in punycode.
		{"bücher.example:8443", chain.Target{Host: "xn--bcher-kva.example", Port: 8443, ServerName: "xn--bcher-kva.example"}},
		{"https://Bücher.example", chain.Target{Host: "xn--bcher-kva.example", Port: 443, ServerName: "xn--bcher-kva.example"}},
		{"xn--bcher-kva.example", chain.Target{Host: "xn--bcher-kva.example", Port: 443, ServerName: "xn--bcher-kva.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := chain.ParseTarget(tt.in)
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.in, err)
			}
			tt.want.Input = tt.in
			if got != tt.want {
				t.Errorf("ParseTarget(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTargetErrors(t *testing.T) {
	tests := []struct {
		in      string
		mention []string // substrings the error must contain
	}{
		{"", []string{"empty target"}},
		{"   ", []string{"empty target"}},
		{"ftp://example.com", []string{`unknown scheme "ftp"`, "https://", "mqtts://", "amqps://"}},
		{"mqtt://example.com", []string{`unknown scheme "mqtt"`}},
		{"example.com:0", []string{"bad port"}},
		{"example.com:65536", []string{"bad port"}},
		{"example.com:https", []string{"bad port"}},
		{"example.com:", []string{"bad port"}},
		{"https://example.com:99999", []string{"bad port"}},
		{"https://", []string{"empty host"}},
		{":443", []string{"empty host"}},
		{"[2001:db8::1]:x", []string{"bad port"}},
		{"a:b:c", []string{"too many colons"}},
		{"example.com/path", []string{"path"}},
		{"exa mple.com", []string{"invalid character"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := chain.ParseTarget(tt.in)
			if err == nil {
				t.Fatalf("ParseTarget(%q): want an error", tt.in)
			}
			if !errors.Is(err, chain.ErrBadTarget) {
				t.Errorf("ParseTarget(%q) error %v does not wrap ErrBadTarget", tt.in, err)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("ParseTarget(%q) error %q does not mention %q", tt.in, err, m)
				}
			}
		})
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"example.com", "[::1]:443", "mqtts://h:1", "https://", "a:b:c", "mqtts://."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := chain.ParseTarget(s)
		if err != nil {
			return
		}
		if tg.Host == "" || tg.Port < 1 || tg.Port > 65535 {
			t.Errorf("ParseTarget(%q) = %+v without error", s, tg)
		}
	})
}
