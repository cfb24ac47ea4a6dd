package rootexport_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/goldenfile"
	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report/rootexport"
)

// fixedExport is a fixed export of the Baltimore root in examples/ (a real
// public root, see examples/README.md), with every part the text shows:
// a device path, notes, a snippet, pins held and pin forms of each shape.
func fixedExport(t *testing.T, format string) *certlint.RootExport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "BaltimoreCyberTrustRoot.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := chain.ParseChain(data)
	if err != nil || len(certs) != 1 {
		t.Fatalf("examples root: %d certificates, %v", len(certs), err)
	}
	e := &certlint.RootExport{
		Device: "board-a@2.0", DeviceName: "Board A", Root: certs[0], Anchors: "#1 intermediate",
		Format: format, FileName: "ca.pem", DevicePath: "/flash/cert/ca.pem", Content: certs[0].Raw,
		Steps:   []string{"copy the file", "set the clock to 2019-06-01"},
		Snippet: "load_ca('/flash/cert/ca.pem')",
		Notes:   []string{"the device does not verify by default"},
		At:      time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC),
		Source:  "the chain file",
		Pins: []constraints.PinForm{
			{Call: "pin_sha256", Kind: "cert-sha256", Value: "ab12", Lasts: "until the next renewal (2020-01-01)", Cost: "32 bytes"},
			{Call: "pin_spki", Kind: "spki-sha256", Value: "line one\nline two", Code: "pin_spki(\"line one\")\n", Lasts: "until the key changes"},
			{Call: "pin_der", Kind: "certificate", Value: "-----BEGIN-----\n-----END-----", Lasts: "until the next renewal"},
		},
		Held: []certlint.HeldPin{
			{Pin: "cd34", Origin: "--pin", Call: "pin_sha256", Matches: true},
			{Pin: "ef56", Origin: "--pin", Call: "pin_sha256"},
			{Pin: "sha1/xx", Origin: "--pin"},
		},
	}
	if format == "pem" {
		e.Content = chain.EncodePEM(certs)
	} else {
		e.FileName, e.DevicePath = "root.der", ""
	}
	return e
}

func TestGoldenText(t *testing.T) {
	for name, tt := range map[string]struct {
		format, written string
	}{
		"printed-pem": {"pem", ""},
		"printed-der": {"der", ""},
		"written-pem": {"pem", "cert/ca.pem"},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := rootexport.WriteText(&b, fixedExport(t, tt.format), tt.written); err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, name+".txt", b.Bytes())
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	var b bytes.Buffer
	if err := rootexport.WriteJSON(&b, fixedExport(t, "pem"), "cert/ca.pem"); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "written-pem.json", b.Bytes())
}

func TestGoldenRefusal(t *testing.T) {
	r := &certlint.RootRefusal{Device: "board-a", Root: "CN=Big Root", Reason: "the root has no SKI", Instead: "a root with an SKI"}
	for name, colored := range map[string]bool{"refusal": false, "refusal-color": true} {
		var b bytes.Buffer
		if err := rootexport.WriteRefusal(&b, r, colored); err != nil {
			t.Fatal(err)
		}
		goldenfile.Check(t, name+".txt", b.Bytes())
	}
	var b bytes.Buffer
	if err := rootexport.WriteRefusalJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "refusal.json", b.Bytes())
}
