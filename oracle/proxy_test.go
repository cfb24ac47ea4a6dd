package oracle

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/certlint/certlint/internal/testpki"
)

// splitProxy forwards to addr and cuts every plaintext handshake record
// the server sends (before its ChangeCipherSpec) into records of at most
// size bytes, as a server that writes small records would. The handshake
// messages are unchanged, so the transcript and Finished still verify.
func splitProxy(t *testing.T, addr string, size int) string {
	ln := testpki.Listen(t)
	go testpki.AcceptLoop(ln, 30*time.Second, func(c net.Conn) {
		s, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return
		}
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(30 * time.Second))
		go func() { _, _ = io.Copy(s, c) }()
		recut(c, s, size)
	})
	return ln.Addr().String()
}

// recut copies records from src to dst, re-cutting handshake records until
// the first ChangeCipherSpec, then copies the rest as it comes.
func recut(dst io.Writer, src io.Reader, size int) {
	hdr := make([]byte, 5)
	for {
		if _, err := io.ReadFull(src, hdr); err != nil {
			return
		}
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := io.ReadFull(src, body); err != nil {
			return
		}
		if hdr[0] != 22 {
			_, _ = dst.Write(append(append([]byte{}, hdr...), body...))
			if hdr[0] == 20 {
				_, _ = io.Copy(dst, src)
				return
			}
			continue
		}
		var out []byte
		for len(body) > 0 {
			n := min(size, len(body))
			out = append(out, hdr[0], hdr[1], hdr[2], byte(n>>8), byte(n))
			out = append(out, body[:n]...)
			body = body[n:]
		}
		if _, err := dst.Write(out); err != nil {
			return
		}
	}
}
