package certlint

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
	"github.com/certlint/certlint/pkg/chain"
	"github.com/certlint/certlint/pkg/constraints"
)

// TestExactHelloMatchesCapture replays each built-in profile whose whole
// ClientHello is known (hello_known: full) to a raw listener and compares it
// byte for byte with the hello the real stack wrote when set up as the
// device sets it up (testdata/hello/README.md). Only the 32 random bytes
// differ.
func TestExactHelloMatchesCapture(t *testing.T) {
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	captures := map[string]string{"esp8266": "esp8266-bearssl.hex", "esp8266-micropython": "esp8266-micropython-axtls.hex"}
	for _, id := range reg.IDs() {
		p, err := reg.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.HelloKnown() != chain.HelloFull {
			continue
		}
		file, ok := captures[id]
		if !ok {
			t.Errorf("%s claims hello_known: full but no captured hello checks it", id)
			continue
		}
		t.Run(id, func(t *testing.T) { compareHello(t, p, filepath.Join("testdata", "hello", file)) })
	}
}

func compareHello(t *testing.T, p *constraints.Profile, file string) {
	want := readHex(t, file)
	got := replayedHello(t, p.HelloSpec(), "device.test")
	// record header (5), handshake header (4), client_version (2), then random.
	const randomAt, randomLen = 11, 32
	if len(got) != len(want) {
		t.Fatalf("certlint sent %d bytes, BearSSL %d:\ngot  %x\nwant %x", len(got), len(want), got, want)
	}
	mask := func(b []byte) []byte {
		c := append([]byte(nil), b...)
		copy(c[randomAt:randomAt+randomLen], make([]byte, randomLen))
		return c
	}
	if g, w := mask(got), mask(want); !bytes.Equal(g, w) {
		for i := range g {
			if g[i] != w[i] {
				t.Fatalf("first difference at byte %d:\ngot  %x\nwant %x", i, g, w)
			}
		}
	}
}

// replayedHello returns the first record certlint sends with spec.
func replayedHello(t *testing.T, spec chain.HelloSpec, serverName string) []byte {
	t.Helper()
	ln := testpki.Listen(t)
	records := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			records <- nil
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			records <- nil
			return
		}
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := io.ReadFull(c, body); err != nil {
			records <- nil
			return
		}
		records <- append(hdr, body...)
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	var portN int
	for _, r := range port {
		portN = portN*10 + int(r-'0')
	}
	res := (&chain.Dialer{Timeout: 2 * time.Second}).DialHello(context.Background(), host, portN, serverName, spec)
	if !res.Exact {
		t.Fatalf("the hello was not replayed exactly: %v", res.Approximations)
	}
	rec := <-records
	if rec == nil {
		t.Fatal("no ClientHello received")
	}
	return rec
}

func readHex(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return b
}
