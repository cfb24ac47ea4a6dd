package chain

import "testing"

// FuzzRecordTap feeds arbitrary server bytes to the record tap, cut at an
// arbitrary point, as a hostile server would send them: it must never
// panic, keep more than its bounds, or report a message whose counts do
// not add up.
func FuzzRecordTap(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 11, 11, 0, 0, 7, 0, 0, 4, 0, 0, 1, 0x30}, 5)
	f.Add([]byte{22, 3, 3, 0, 4, 11, 255, 255, 255, 22, 3, 3, 0, 3, 0, 0, 0}, 9)
	f.Add([]byte{22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3, 20, 3, 3, 0, 1, 1}, 3)
	f.Fuzz(func(t *testing.T, data []byte, cutAt int) {
		var tap recordTap
		if cutAt < 0 || cutAt > len(data) {
			cutAt = len(data) / 2
		}
		tap.feed(data[:cutAt])
		tap.feed(data[cutAt:])
		if c := tap.cert; c != nil {
			if len(c.kept) > MaxChainCerts || c.keptBytes > maxKeptCertBytes || len(c.msg.Records) > maxTrackedRecords {
				t.Fatalf("kept %d certificates, %d bytes, %d records", len(c.kept), c.keptBytes, len(c.msg.Records))
			}
		}
		if m := tap.message(); m != nil && m.Bytes != 3+3*m.Certs+m.DERBytes {
			t.Fatalf("message %+v: sizes do not add up", m)
		}
		var hs Handshake
		tap.negotiated(&hs)
	})
}
