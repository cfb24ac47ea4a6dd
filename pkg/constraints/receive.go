package constraints

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Sizes of the TLS record and handshake layers (RFC 5246 §6.2.1, §7.4).
const (
	// MaxPlaintextRecord is the largest record plaintext TLS allows (2^14);
	// a server splits a longer handshake message into records of this size.
	MaxPlaintextRecord = 16384
	// maxHandshakeBody is the largest body a handshake header can announce
	// (a 3-byte length).
	maxHandshakeBody = 1<<24 - 1
	// handshakeHeaderBytes is the handshake header: type and 3-byte length.
	handshakeHeaderBytes = 4
)

// receiveRules checks the receive section against what TLS allows and what
// the message-size check needs to read it.
func (v *validator) receiveRules(root *yaml.Node, prefix string) {
	rec := mapValue(root, "receive")
	if rec == nil || rec.Kind != yaml.MappingNode {
		return
	}
	intAt := func(key string) (*yaml.Node, int) {
		n := mapValue(rec, key)
		var val int
		if n == nil || n.Decode(&val) != nil {
			return nil, 0
		}
		return n, val
	}
	if n, size := intAt("max_handshake_message_bytes"); n != nil {
		if size > maxHandshakeBody+handshakeHeaderBytes {
			v.errorf(n, "%sreceive.max_handshake_message_bytes: %d is more than a handshake message can be (%d bytes with its header); use 0 for no known limit",
				prefix, size, maxHandshakeBody+handshakeHeaderBytes)
		}
		if count := mapValue(rec, "message_count"); size > 0 && (count == nil || count.Value == "") {
			v.errorf(n, "%sreceive.max_handshake_message_bytes is set: say how the stack counts a message with receive.message_count (%s: the 4-byte handshake header counts, as in mbedTLS; %s: only the body, as in wolfSSL)",
				prefix, CountWithHeader, CountBody)
		}
	}
	if n, size := intAt("max_record_bytes"); n != nil && size > MaxPlaintextRecord {
		v.errorf(n, "%sreceive.max_record_bytes: %d is more than a TLS record's plaintext can be (%s); use 0 for no known limit",
			prefix, size, strconv.Itoa(MaxPlaintextRecord))
	}
}
