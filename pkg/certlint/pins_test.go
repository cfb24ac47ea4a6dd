package certlint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/pin"
)

func TestParsePins(t *testing.T) {
	dir := t.TempDir()
	leaf := testpki.Root(testpki.Spec{CN: "pins file root"})
	if err := os.WriteFile(filepath.Join(dir, "leaf.pem"), leaf.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	sha1 := strings.Repeat("AB ", 19) + "AB"
	file := "\ufeff# pins the fleet holds\r\n" +
		"*   sha256//" + strings.Repeat("A", 43) + "=   # every target\r\n" +
		"\r\n" +
		"API.example.com  " + sha1 + "\n" +
		"api.example.com  leaf.pem\n" +
		"mqtts://broker.example.com:8883  " + strings.ReplaceAll(sha1, " ", ":") + "\n" +
		"[2001:db8::1]:8443 " + strings.ReplaceAll(sha1, " ", "") + "\n"
	set, err := ParsePins(strings.NewReader(file), "pins.txt", dir)
	if err != nil {
		t.Fatal(err)
	}
	count := func(host, sni string, port int) int { return len(set.For(host, sni, port)) }
	for _, tt := range []struct {
		host, sni string
		port      int
		want      int
	}{
		{"api.example.com", "api.example.com", 443, 3}, // global + two lines for the host, any port
		{"api.example.com", "", 8443, 3},
		{"broker.example.com", "broker.example.com", 8883, 2},
		{"broker.example.com", "broker.example.com", 443, 1}, // another port: only the global pin
		{"stdin", "broker.example.com", 0, 2},                // an offline chain checked under the name
		{"2001:db8::1", "", 8443, 2},
		{"other.example.com", "", 443, 1},
	} {
		if got := count(tt.host, tt.sni, tt.port); got != tt.want {
			t.Errorf("For(%s, %s, %d): %d pins, want %d", tt.host, tt.sni, tt.port, got, tt.want)
		}
	}
	ps := set.For("api.example.com", "", 443)
	if ps[0].Kind != pin.SPKISHA256 || ps[1].Origin != "pins.txt:4" || ps[2].Kind != pin.Certificate || ps[2].Input != "leaf.pem" {
		t.Errorf("pins %+v", ps)
	}
}

func TestParsePinsErrors(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"# nothing\n\n", "pins.txt: no pin in the file"},
		{"api.example.com\n", `pins.txt:1: "api.example.com" has no pin after it`},
		{"# c\napi.example.com B8 4F\n", `pins.txt:2: pin "B8 4F": 2 bytes; a SHA-1 fingerprint has 20`},
		{"api.example.com:99999 " + strings.Repeat("ab", 20) + "\n", "pins.txt:1: bad target"},
		{"api.example.com -----BEGIN CERTIFICATE-----\n", "pins.txt:1: a PEM block does not fit on one line"},
		{"api.example.com missing.pem\n", "pins.txt:1: pin file missing.pem: file does not exist"},
		{strings.Repeat("x", maxTargetLine+10) + "\n", "pins.txt:1: line longer than"},
	} {
		_, err := ParsePins(strings.NewReader(tt.file), "pins.txt", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePins(%q) = %v, want %q", tt.file, err, tt.want)
		}
	}
}

func TestParsePinArgs(t *testing.T) {
	dir := t.TempDir()
	leaf := testpki.Root(testpki.Spec{CN: "pin args root"})
	path := filepath.Join(dir, "leaf.der")
	if err := os.WriteFile(path, leaf.DER, 0o644); err != nil {
		t.Fatal(err)
	}
	pins, err := ParsePinArgs([]string{strings.Repeat("0f", 20), path}, "--pin")
	if err != nil || len(pins) != 2 || pins[1].Kind != pin.Certificate || pins[1].Origin != "--pin #2" {
		t.Fatalf("ParsePinArgs = %+v, %v", pins, err)
	}
	if _, err := ParsePinArgs([]string{"ok", "zz"}, ""); err == nil || !strings.HasPrefix(err.Error(), `pin #1: pin "ok"`) {
		t.Errorf("bad pin error = %v", err)
	}
}

// FuzzParsePins feeds arbitrary pins files to ParsePins: it may refuse
// them with a FILE:LINE error, never panic, and an accepted file holds at
// least one pin.
func FuzzParsePins(f *testing.F) {
	for _, seed := range []string{
		"* sha256//" + strings.Repeat("A", 43) + "=\n",
		"\ufeffapi.example.com  B8 4F 40 5C 7E 1A 2B 3C 4D 5E 6F 70 81 92 A3 B4 C5 D6 E7 F8  # comment\r\n",
		"mqtts://broker.example.com:8883 cert-sha1:" + strings.Repeat("ab", 20) + "\n# x\n\n",
		"[2001:db8::1]:8443 " + strings.Repeat("0", 64) + "\n",
		"api.example.com\n",
		"api.example.com leaf.pem\n",
		"a -----BEGIN CERTIFICATE-----\n",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, file string) {
		set, err := ParsePins(strings.NewReader(file), "pins.txt", dir)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pins.txt") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if set.Empty() {
			t.Fatal("an accepted pins file holds no pin")
		}
		_ = set.For("api.example.com", "", 443)
	})
}
