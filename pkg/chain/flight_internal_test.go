package chain

import "testing"

func TestServerHelloRecords(t *testing.T) {
	hello := []byte{2, 0, 0, 4, 3, 3, 0xaa, 0xbb}
	split := []byte{22, 3, 3, 0, 3, 2, 0, 0, 22, 3, 3, 0, 5, 4, 3, 3, 0xaa, 0xbb}
	tests := []struct {
		name    string
		in      []byte
		end     int
		body    []byte
		notHelo bool
	}{
		{"empty", nil, 0, nil, false},
		{"partial header", []byte{22, 3}, 0, nil, false},
		{"partial record", []byte{22, 3, 3, 0, 8, 2, 0}, 0, nil, false},
		{"one record", append([]byte{22, 3, 3, 0, 8}, hello...), 13, hello[4:], false},
		{"one record and more", append(append([]byte{22, 3, 3, 0, 8}, hello...), 22, 3, 3), 13, hello[4:], false},
		{"split over two records", split, len(split), hello[4:], false},
		{"alert", []byte{21, 3, 3, 0, 2, 2, 40}, 0, nil, true},
		{"not TLS", []byte("HTTP/1.1 400 Bad Request\r\n"), 0, nil, true},
		{"another message first", []byte{22, 3, 3, 0, 4, 11, 0, 0, 0}, 0, nil, true},
		{"oversized ServerHello", []byte{22, 3, 3, 0, 4, 2, 0, 0x20, 0}, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, body, ok := serverHelloRecords(tt.in)
			if end != tt.end || string(body) != string(tt.body) || ok == tt.notHelo {
				t.Errorf("serverHelloRecords = %d, %x, %v; want %d, %x, %v", end, body, ok, tt.end, tt.body, !tt.notHelo)
			}
		})
	}
}

// FuzzServerHelloRecords feeds arbitrary server bytes to the flight gate's
// record walk: it must never panic or point past what it was given.
func FuzzServerHelloRecords(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0xaa, 0xbb})
	f.Add([]byte{22, 3, 3, 0, 3, 2, 0, 0, 22, 3, 3, 0, 5, 4, 3, 3, 0xaa, 0xbb})
	f.Fuzz(func(t *testing.T, data []byte) {
		end, body, ok := serverHelloRecords(data)
		if end < 0 || end > len(data) || len(body) > maxServerHello || (!ok && end != 0) {
			t.Fatalf("serverHelloRecords(%x) = %d, %d-byte body, %v", data, end, len(body), ok)
		}
	})
}
