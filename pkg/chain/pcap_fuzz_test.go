package chain

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadPcap feeds arbitrary bytes to ReadPcap, which reads captures
// customers attach to tickets: it may refuse them, never panic, and never
// return more certificates per handshake than the cap.
func FuzzReadPcap(f *testing.F) {
	for _, name := range checkedInCaptures {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	k := pcapChains()
	events, _ := recordTestHandshake(f, k.small, "device.test", tls.VersionTLS12)
	flow := testFlow{client: clientAddr, server: serverAddr, events: refragment(events, 100)}
	f.Add(captureBytes(f, captureOptions{link: linkSLL}, flow))
	f.Add(captureBytes(f, captureOptions{link: linkRaw, ng: true}, flow))
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0})
	f.Add([]byte("not a capture"))
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := ReadPcap(bytes.NewReader(data))
		if err == nil && len(hs) == 0 {
			t.Fatal("no error and no handshakes")
		}
		for _, h := range hs {
			if len(h.Chain) > MaxChainCerts {
				t.Fatalf("%d certificates exceed the cap", len(h.Chain))
			}
		}
	})
}
