package chain

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	zrsa "github.com/zmap/zcrypto/rsa"
	"github.com/zmap/zcrypto/x509"
)

// Role says what part a certificate plays in a chain.
type Role string

// The roles a certificate can have in a chain.
const (
	RoleLeaf         Role = "leaf"
	RoleIntermediate Role = "intermediate"
	RoleRoot         Role = "root"
	// RoleUnused is a certificate the server sent that is on no device's
	// path: the device still receives it, but does not validate with it.
	RoleUnused Role = "unused"
)

// Source says where a certificate in an Observation came from.
type Source string

// The places a certificate can come from.
const (
	// SourceServed is a certificate the server sent (or the offline chain held).
	SourceServed Source = "served"
	// SourceCAFile is the anchor taken from the --ca file the device holds.
	SourceCAFile Source = "ca-file"
	// SourceStore is the anchor taken from the embedded Mozilla root set.
	SourceStore Source = "store"
)

// Cert is one certificate as the device receives or holds it, with the facts
// the checks measure. Raw is the DER exactly as sent; Parsed may be nil when
// even zcrypto could not parse it, in which case ParseError says why and only
// the size facts are known.
type Cert struct {
	Index      int
	Role       Role
	Source     Source
	Raw        []byte
	Parsed     *x509.Certificate
	ParseError string

	Subject            string
	Issuer             string
	CommonName         string
	DNSNames           []string
	IPAddresses        []string
	KeyType            string // rsa, ecdsa, ed25519, dsa or unknown
	KeyBits            int    // RSA modulus bits, EC curve bits, 256 for Ed25519
	Curve              string // EC curve name, e.g. P-256; empty otherwise
	SignatureAlgorithm string // e.g. SHA256-RSA, as zcrypto names it
	SignatureHash      string // sha1, sha256, sha384, sha512, md5 or unknown
	NotBefore          time.Time
	NotAfter           time.Time
	SHA256             string // hex of SHA-256 over Raw
	SKI                []byte
	AKI                []byte
	IsCA               bool
	SelfSigned         bool // subject equals issuer and the signature verifies with its own key

	// signatures remembers which issuers' keys were checked against this
	// certificate's signature: every device's path is built over the same
	// chain, and an RSA-4096 check costs 0.3 ms. Copies of the Cert share
	// it (the same bytes, the same answers).
	signatures *signatureMemo
}

// DERBytes is the size of the certificate as it travels in a TLS Certificate
// message and as a device stores it in DER form.
func (c *Cert) DERBytes() int { return len(c.Raw) }

// SKIHex returns the Subject Key Identifier as lower-case hex, or "".
func (c *Cert) SKIHex() string { return hex.EncodeToString(c.SKI) }

// AKIHex returns the Authority Key Identifier as lower-case hex, or "".
func (c *Cert) AKIHex() string { return hex.EncodeToString(c.AKI) }

// Label names the certificate for a human: "certificate #1 (intermediate, CN=...)".
func (c *Cert) Label() string {
	name := c.Subject
	if name == "" {
		name = "unparsed"
	}
	return "certificate #" + strconv.Itoa(c.Index) + " (" + string(c.Role) + ", " + name + ")"
}

// NewCert parses raw DER leniently with zcrypto and fills in every fact the
// checks use. It never fails: a certificate that cannot be parsed keeps its
// bytes and ParseError, so size checks still apply to it.
func NewCert(raw []byte) *Cert { return newCert(raw, nil) }

// newCert is NewCert with the parse already done when parsed is not nil:
// zcrypto's handshake parses every certificate the server sends, and
// parsing the chain a second time cost 13-18% of a batch. A certificate
// seen before (certMemo) is not parsed again.
func newCert(raw []byte, parsed *x509.Certificate) *Cert {
	sum := sha256.Sum256(raw)
	if c := certMemo.get(sum); c != nil {
		return c
	}
	if parsed == nil {
		// The parse keeps slices of the bytes it is given, and the memo
		// keeps the parse: it gets bytes no caller can change.
		raw = bytes.Clone(raw)
	}
	c := &Cert{Raw: raw, SHA256: hex.EncodeToString(sum[:]), KeyType: "unknown", SignatureHash: "unknown", signatures: &signatureMemo{}}
	defer certMemo.put(sum, c)
	if parsed == nil {
		var err error
		if parsed, err = x509.ParseCertificate(raw); err != nil || parsed == nil {
			if err != nil {
				c.ParseError = err.Error()
			} else {
				c.ParseError = "unparseable certificate"
			}
			return c
		}
	}
	c.Parsed = parsed
	c.Subject = parsed.Subject.String()
	c.Issuer = parsed.Issuer.String()
	c.CommonName = parsed.Subject.CommonName
	c.DNSNames = parsed.DNSNames
	for _, ip := range parsed.IPAddresses {
		c.IPAddresses = append(c.IPAddresses, ip.String())
	}
	c.KeyType, c.KeyBits, c.Curve = publicKeyFacts(parsed.PublicKey)
	c.SignatureAlgorithm = parsed.SignatureAlgorithm.String()
	c.SignatureHash = signatureHash(parsed.SignatureAlgorithm)
	c.NotBefore = parsed.NotBefore
	c.NotAfter = parsed.NotAfter
	c.SKI = parsed.SubjectKeyId
	c.AKI = parsed.AuthorityKeyId
	c.IsCA = parsed.BasicConstraintsValid && parsed.IsCA
	// zcrypto verified the self-signature while parsing; checking it again
	// doubled the cost of loading the root store.
	c.SelfSigned = parsed.SelfSigned
	return c
}

// certMemo remembers the certificates newCert made, by the SHA-256 of
// their bytes, for the whole process: a batch meets the same
// intermediates and roots target after target, a -d all run the same
// chain in every device's handshake, and a root may be both served and
// held. zcrypto's parse (0.1-0.6 ms a certificate) and each signature
// check (the signature memo travels with the certificate) are then done
// once. Callers get a copy, because they set Index, Role and Source; what
// the copies share (the parse, the slices, the signature memo) nobody
// changes. At most certMemoMax certificates are kept (leaves, seen once in
// a batch, make room for the rest), so a batch of any size holds at most
// about 4 MB.
var certMemo = &certCache{certs: map[[sha256.Size]byte]*Cert{}}

// certMemoMax bounds certMemo; a parsed certificate holds 15-17 KB.
const certMemoMax = 256

type certCache struct {
	mu    sync.Mutex
	certs map[[sha256.Size]byte]*Cert
}

// get returns a copy of the certificate with these bytes, or nil.
func (m *certCache) get(sum [sha256.Size]byte) *Cert {
	m.mu.Lock()
	c := m.certs[sum]
	m.mu.Unlock()
	if c == nil {
		return nil
	}
	cp := *c
	return &cp
}

// put remembers c (kept unchanged: callers change their own copy),
// forgetting one certificate at random when the memo is full.
func (m *certCache) put(sum [sha256.Size]byte, c *Cert) {
	cp := *c
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.certs[sum]; ok {
		return
	}
	if len(m.certs) >= certMemoMax {
		for k := range m.certs {
			delete(m.certs, k)
			break
		}
	}
	m.certs[sum] = &cp
}

func publicKeyFacts(pub interface{}) (keyType string, bits int, curve string) {
	switch k := pub.(type) {
	case *zrsa.PublicKey:
		return "rsa", k.N.BitLen(), ""
	case *rsa.PublicKey:
		return "rsa", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ecdsa", k.Curve.Params().BitSize, k.Curve.Params().Name
	case ed25519.PublicKey:
		return "ed25519", 256, ""
	case *x509.AugmentedECDSA:
		if k.Pub != nil {
			return "ecdsa", k.Pub.Curve.Params().BitSize, k.Pub.Curve.Params().Name
		}
	}
	return "unknown", 0, ""
}

// signatureHash maps a signature algorithm to the hash a device must
// implement to verify it.
func signatureHash(alg x509.SignatureAlgorithm) string {
	switch alg {
	case x509.MD2WithRSA:
		return "md2"
	case x509.MD5WithRSA:
		return "md5"
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "sha1"
	case x509.SHA256WithRSA, x509.DSAWithSHA256, x509.ECDSAWithSHA256, x509.SHA256WithRSAPSS:
		return "sha256"
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		return "sha384"
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		return "sha512"
	case x509.Ed25519Sig:
		return "ed25519"
	}
	return "unknown"
}

// signatureMemo holds the outcome of checking a certificate's signature
// with each issuer's key, by the issuer's SHA-256.
type signatureMemo struct {
	mu      sync.Mutex
	results map[string]error
}

// checkSignatureFrom is c.Parsed.CheckSignatureFrom(parent.Parsed), done
// once per parent. Both must be parsed.
func (c *Cert) checkSignatureFrom(parent *Cert) error {
	m := c.signatures
	if m == nil {
		return c.Parsed.CheckSignatureFrom(parent.Parsed)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err, ok := m.results[parent.SHA256]; ok {
		return err
	}
	err := c.Parsed.CheckSignatureFrom(parent.Parsed)
	if m.results == nil {
		m.results = map[string]error{}
	}
	m.results[parent.SHA256] = err
	return err
}
