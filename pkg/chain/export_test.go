package chain

// ForgetParsedCerts empties the memo of parsed certificates, so a
// benchmark measures the parse itself.
func ForgetParsedCerts() {
	certMemo.mu.Lock()
	defer certMemo.mu.Unlock()
	clear(certMemo.certs)
}
