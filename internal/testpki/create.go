package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"math/big"

	zrsa "github.com/zmap/zcrypto/rsa"
	zx509 "github.com/zmap/zcrypto/x509"
	zpkix "github.com/zmap/zcrypto/x509/pkix"
)

// createCertificate wraps x509.CreateCertificate. crypto/x509 always adds a
// Subject Key Identifier to CA certificates; to make a CA without one (the
// SPWF04 "No SubjectKeyId" case) the certificate is created, it is issued
// with zcrypto instead.
func createCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer, noSKI bool) ([]byte, error) {
	if !noSKI || !tmpl.IsCA {
		return x509.CreateCertificate(randReader{}, tmpl, parent, pub, priv)
	}
	return createWithoutSKI(tmpl, parent, pub, priv)
}

// randReader is crypto/rand's reader, named so the call sites stay short.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }

// createWithoutSKI issues the certificate with zcrypto, whose
// CreateCertificate adds an SKI only when the template has one.
func createWithoutSKI(tmpl, parent *x509.Certificate, pub crypto.PublicKey, priv crypto.Signer) ([]byte, error) {
	zt := &zx509.Certificate{
		SerialNumber:          tmpl.SerialNumber,
		Subject:               zpkix.Name{CommonName: tmpl.Subject.CommonName, Organization: tmpl.Subject.Organization},
		NotBefore:             tmpl.NotBefore,
		NotAfter:              tmpl.NotAfter,
		BasicConstraintsValid: true,
		IsCA:                  tmpl.IsCA,
		KeyUsage:              zx509.KeyUsage(tmpl.KeyUsage),
		DNSNames:              tmpl.DNSNames,
	}
	zpriv := crypto.Signer(priv)
	if k, ok := priv.(*rsa.PrivateKey); ok {
		// zcrypto signs only with its own fork of crypto/rsa.
		zk := &zrsa.PrivateKey{PublicKey: zrsa.PublicKey{N: k.N, E: big.NewInt(int64(k.E))}, D: k.D, Primes: k.Primes}
		zk.Precompute()
		zpriv, pub = zk, &zk.PublicKey
	}
	zparent := zt
	if parent != tmpl {
		p, err := zx509.ParseCertificate(parent.Raw)
		if err != nil {
			return nil, err
		}
		zparent = p
	}
	return zx509.CreateCertificate(randReader{}, zt, zparent, pub, zpriv)
}
