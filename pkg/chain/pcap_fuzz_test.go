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
	// The formats and layers the gopacket writer does not make: big-endian
	// pcap with nanoseconds, BSD loopback, pcapng with two link types and
	// a VLAN tag (pcapfile_test.go).
	syn := ipv4Bytes(6, 0, 0, tcpBytes(1, true, 0, ""))
	f.Add(pcapBytes(be, true, linkTypeNull, 65535, cat(le.AppendUint32(nil, 2), syn)))
	f.Add(cat(ngSection(be), ngInterface(be, linkTypeEthernet, 0), ngInterface(be, linkTypeLoop, 0),
		ngEnhanced(be, 0, cat(ethernet(0x8100), vlan(0x0800), syn)), ngEnhanced(be, 1, cat(be.AppendUint32(nil, 2), syn))))
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
