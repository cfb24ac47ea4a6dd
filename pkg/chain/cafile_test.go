package chain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCAFile(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "file.txt")
	if err := os.WriteFile(text, []byte("root CA goes here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noise := filepath.Join(dir, "noise.ca")
	// A DER SEQUENCE that is not a certificate must not pass as one.
	if err := os.WriteFile(noise, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		format  string
		bytes   int
		certs   int
		wantErr string
	}{
		{"pem", filepath.Join("testdata", "baltimore.pem"), "pem", 1261, 1, ""},
		{"der", filepath.Join("testdata", "baltimore.der"), "der", 891, 1, ""},
		{"pem bundle", filepath.Join("testdata", "bing-2019.pem"), "pem", 6942, 2, ""},
		{"not a certificate", text, "", 0, 0, text + ": not a certificate (expected PEM or DER)"},
		{"der noise", noise, "", 0, 0, "not a certificate"},
		{"missing", filepath.Join(dir, "missing.der"), "", 0, 0, "missing.der"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca, err := LoadCAFile(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ca.Path != tt.path || ca.Format != tt.format || ca.Bytes != tt.bytes || len(ca.Certs) != tt.certs {
				t.Errorf("got path %s format %s, %d bytes, %d certs; want %s %s %d %d", ca.Path, ca.Format, ca.Bytes, len(ca.Certs), tt.path, tt.format, tt.bytes, tt.certs)
			}
			for _, c := range ca.Certs {
				if c.Source != SourceCAFile {
					t.Errorf("cert %d: Source %q", c.Index, c.Source)
				}
			}
		})
	}
	if _, err := LoadCAFile(text); !errors.Is(err, ErrNotCertificate) {
		t.Errorf("text file: %v is not ErrNotCertificate", err)
	}
}
