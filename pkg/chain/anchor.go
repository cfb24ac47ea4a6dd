package chain

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// ErrNoAnchor is returned (wrapped with the issuer that was looked for) when
// no CA-file certificate, served self-signed certificate or store root
// anchors a chain. It is a finding for the trust-anchor check, not a failure
// to observe.
var ErrNoAnchor = errors.New("no trust anchor found")

// FindAnchor returns the root that anchors the served chain, looking in this
// order:
//
//  1. The CA file (ca may be nil): a CA-file certificate that issued the
//     top-most served certificate, or failing that any served certificate,
//     found by AKI/SKI and then issuer/subject name and proven by signature.
//     A CA-file certificate that is itself served and self-signed counts too.
//     The result is a new *Cert with Source SourceCAFile. It is whatever the
//     CA file provides, which may be an intermediate (seed 001: the device
//     holds "Microsoft IT TLS CA 1", which the server also sends). Such an
//     anchor is returned as is; IsRootCert reports false for it, and
//     FindStoreRoot names the root the device should load instead. Whether
//     an intermediate anchor is acceptable is the profile's call
//     (trust.accepts_intermediate_anchor), not FindAnchor's.
//  2. A self-signed certificate the server sent. The same pointer from
//     served is returned (Source SourceServed): it is already in the chain,
//     and the caller must not append it again. Check anchor.Source ==
//     SourceServed.
//  3. The embedded root store (the Mozilla roots of
//     golang.org/x/crypto/x509roots/fallback, plus the retired roots devices
//     still hold, see IsRetiredStoreRoot): the root that issued the top-most
//     served certificate. The result is a new *Cert with Source SourceStore.
//
// When a CA file is given but none of its certificates anchors the chain,
// steps 2 and 3 still run so the report can name the root that would; the
// trust-anchor check tells the cases apart by the anchor's Source. When
// nothing anchors the chain the error wraps ErrNoAnchor. Roles and Index of
// the returned certificate are left for AssignRoles.
func FindAnchor(served []*Cert, ca *CAFile) (*Cert, error) {
	if len(served) == 0 {
		return nil, errors.New("find anchor: no served certificates")
	}
	if ca != nil {
		if a := caFileAnchor(served, ca.Certs); a != nil {
			return a, nil
		}
	}
	for _, c := range served {
		if c.SelfSigned {
			return c, nil
		}
	}
	for i := len(served) - 1; i >= 0; i-- {
		if root := storeIssuerOf(served[i]); root != nil {
			return root, nil
		}
	}
	top := served[len(served)-1]
	return nil, fmt.Errorf("%w: nothing issued %s (issuer %s)", ErrNoAnchor, top.Label(), top.Issuer)
}

// caFileAnchor walks the served chain from the top (closest to the root)
// down to the leaf and returns a copy of the first CA-file certificate that
// anchors one of them.
func caFileAnchor(served, caCerts []*Cert) *Cert {
	for i := len(served) - 1; i >= 0; i-- {
		s := served[i]
		for _, ca := range caCerts {
			if ca.Parsed == nil {
				continue
			}
			if (s.SelfSigned && ca.SHA256 == s.SHA256) || issued(ca, s) {
				cp := *ca
				cp.Source = SourceCAFile
				return &cp
			}
		}
	}
	return nil
}

// issued reports whether parent's key signed child, after a cheap match on
// key identifiers or names so unrelated certificates cost no signature check.
func issued(parent, child *Cert) bool {
	if parent.Parsed == nil || child.Parsed == nil {
		return false
	}
	keyMatch := len(child.AKI) > 0 && len(parent.SKI) > 0 && string(child.AKI) == string(parent.SKI)
	nameMatch := string(child.Parsed.RawIssuer) == string(parent.Parsed.RawSubject)
	if !keyMatch && !nameMatch {
		return false
	}
	return child.Parsed.CheckSignatureFrom(parent.Parsed) == nil
}

// IsRootCert reports whether c is a root: self-signed, its signature
// verifying with its own key. An intermediate loaded as a device's CA is not.
func IsRootCert(c *Cert) bool {
	return c != nil && c.SelfSigned
}

// FindStoreRoot returns the store root that issued c, or c's own store entry
// when c is itself a store root; nil when the store has none. It answers
// "which root should the device load instead" for an intermediate the user
// loaded as the device's CA. The result is a new *Cert with Source
// SourceStore.
func FindStoreRoot(c *Cert) *Cert {
	if c == nil || c.Parsed == nil {
		return nil
	}
	if r := loadStore().entry(c); r != nil {
		return storeCopy(r.get())
	}
	return storeIssuerOf(c)
}

// IsRetiredStoreRoot reports whether c is one of the roots certlint keeps
// although Mozilla has removed them (Baltimore CyberTrust Root, expired
// 2025-05-12): devices built while they were trusted still hold them, and
// the field reports this tool exists for are anchored by them.
func IsRetiredStoreRoot(c *Cert) bool {
	if c == nil || c.Parsed == nil {
		return false
	}
	r := loadStore().entry(c)
	return r != nil && r.retired
}

// storeIssuerOf returns a copy of the store root that issued c, or nil.
func storeIssuerOf(c *Cert) *Cert {
	if c == nil || c.Parsed == nil {
		return nil
	}
	s := loadStore()
	var candidates []*storeRoot
	if len(c.AKI) > 0 {
		candidates = append(candidates, s.bySKI[string(c.AKI)]...)
	}
	candidates = append(candidates, s.bySubject[string(c.Parsed.RawIssuer)]...)
	for _, sr := range candidates {
		if bytes.Equal(sr.der, c.Raw) {
			continue // a root does not anchor itself through the store lookup
		}
		if r := sr.get(); issued(r, c) {
			return storeCopy(r)
		}
	}
	return nil
}

func storeCopy(r *Cert) *Cert {
	cp := *r
	cp.Source = SourceStore
	return &cp
}

// rootStore is the embedded root set, indexed for cheap lookups. The index
// reads only each root's subject and SKI with a DER walk (about 0.05 ms
// for the whole set, against 1.2 ms for crypto/x509 and 50 ms for zcrypto);
// the lenient zcrypto parse that NewCert does runs only for the few roots
// a lookup actually returns.
type rootStore struct {
	all       []*storeRoot
	bySKI     map[string][]*storeRoot // raw SKI -> roots
	bySubject map[string][]*storeRoot // raw subject DER -> roots
}

// storeRoot is one embedded root; its Cert is made on first use.
type storeRoot struct {
	der     []byte
	retired bool
	once    sync.Once
	cert    *Cert
}

func (r *storeRoot) get() *Cert {
	r.once.Do(func() {
		r.cert = NewCert(r.der)
		r.cert.Source = SourceStore
		r.cert.Role = RoleRoot
	})
	return r.cert
}

var (
	storeOnce sync.Once
	store     *rootStore
)

// loadStore indexes the embedded roots once, on first use: most runs with
// a CA file or a served root never need them.
func loadStore() *rootStore {
	storeOnce.Do(func() {
		s := newRootStore()
		for r := range bundle.Roots() {
			s.add(r.Certificate, false)
		}
		rest := []byte(retiredRootsPEM)
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			s.add(block.Bytes, true)
		}
		store = s
	})
	return store
}

// storeSizeHint is about the number of embedded roots, so the index maps
// are made once at their final size.
const storeSizeHint = 160

func newRootStore() *rootStore {
	return &rootStore{
		all:       make([]*storeRoot, 0, storeSizeHint),
		bySKI:     make(map[string][]*storeRoot, storeSizeHint),
		bySubject: make(map[string][]*storeRoot, storeSizeHint),
	}
}

// add indexes one root by subject and SKI; a root already indexed (the
// same DER) is skipped.
func (s *rootStore) add(der []byte, retired bool) {
	subject, ski, ok := subjectAndSKI(der)
	if !ok {
		return
	}
	for _, r := range s.bySubject[string(subject)] {
		if bytes.Equal(r.der, der) {
			return
		}
	}
	r := &storeRoot{der: der, retired: retired}
	s.all = append(s.all, r)
	if len(ski) > 0 {
		s.bySKI[string(ski)] = append(s.bySKI[string(ski)], r)
	}
	s.bySubject[string(subject)] = append(s.bySubject[string(subject)], r)
}

// entry returns the store's own entry for c (the same DER), or nil.
func (s *rootStore) entry(c *Cert) *storeRoot {
	for _, r := range s.bySubject[string(c.Parsed.RawSubject)] {
		if bytes.Equal(r.der, c.Raw) {
			return r
		}
	}
	return nil
}

// oidSubjectKeyID is the DER content of id-ce-subjectKeyIdentifier,
// 2.5.29.14 (RFC 5280, 4.2.1.2).
var oidSubjectKeyID = []byte{0x55, 0x1d, 0x0e}

// subjectAndSKI reads a certificate's raw subject (with its header, as
// RawSubject and RawIssuer hold it) and its Subject Key Identifier by
// walking the DER, without parsing the rest. ok is false when the walk
// fails; ski is nil when the certificate has none.
func subjectAndSKI(der []byte) (subject, ski []byte, ok bool) {
	input := cryptobyte.String(der)
	var cert, tbs, subj cryptobyte.String
	if !input.ReadASN1(&cert, asn1.SEQUENCE) || !cert.ReadASN1(&tbs, asn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(asn1.Tag(0).Constructed().ContextSpecific()) || // version
		!tbs.SkipASN1(asn1.INTEGER) || // serialNumber
		!tbs.SkipASN1(asn1.SEQUENCE) || // signature
		!tbs.SkipASN1(asn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(asn1.SEQUENCE) || // validity
		!tbs.ReadASN1Element(&subj, asn1.SEQUENCE) ||
		!tbs.SkipASN1(asn1.SEQUENCE) || // subjectPublicKeyInfo
		!tbs.SkipOptionalASN1(asn1.Tag(1).ContextSpecific()) || // issuerUniqueID
		!tbs.SkipOptionalASN1(asn1.Tag(2).ContextSpecific()) { // subjectUniqueID
		return nil, nil, false
	}
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, asn1.Tag(3).Constructed().ContextSpecific()) {
		return nil, nil, false
	}
	if !present {
		return subj, nil, true
	}
	var list cryptobyte.String
	if !exts.ReadASN1(&list, asn1.SEQUENCE) {
		return nil, nil, false
	}
	for !list.Empty() {
		var ext, oid, value, id cryptobyte.String
		if !list.ReadASN1(&ext, asn1.SEQUENCE) || !ext.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
			!ext.SkipOptionalASN1(asn1.BOOLEAN) || !ext.ReadASN1(&value, asn1.OCTET_STRING) {
			return nil, nil, false
		}
		if bytes.Equal(oid, oidSubjectKeyID) {
			if !value.ReadASN1(&id, asn1.OCTET_STRING) {
				return nil, nil, false
			}
			return subj, id, true
		}
	}
	return subj, nil, true
}

// AssignRoles sets Index (position) and Role on every certificate of a
// chain in served order, anchor last: index 0 is the leaf, unless the chain
// is a single self-signed certificate, which is a root; any other
// self-signed certificate is a root; the rest are intermediates.
func AssignRoles(chain []*Cert) {
	for i, c := range chain {
		c.Index = i
		switch {
		case i == 0 && !(len(chain) == 1 && c.SelfSigned):
			c.Role = RoleLeaf
		case c.SelfSigned:
			c.Role = RoleRoot
		default:
			c.Role = RoleIntermediate
		}
	}
}

// retiredRootsPEM holds roots removed from the Mozilla store that deployed
// devices still trust. Baltimore CyberTrust Root: DER 891 bytes, SHA-256
// 16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb, SKI
// e59d5930824758ccacfa085436867b3ab5044df0; it anchored Azure (IoT Hub,
// Storage) through the Microsoft IT TLS CAs until 2023.
const retiredRootsPEM = `
-----BEGIN CERTIFICATE-----
MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ
RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD
VQQDExlCYWx0aW1vcmUgQ3liZXJUcnVzdCBSb290MB4XDTAwMDUxMjE4NDYwMFoX
DTI1MDUxMjIzNTkwMFowWjELMAkGA1UEBhMCSUUxEjAQBgNVBAoTCUJhbHRpbW9y
ZTETMBEGA1UECxMKQ3liZXJUcnVzdDEiMCAGA1UEAxMZQmFsdGltb3JlIEN5YmVy
VHJ1c3QgUm9vdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKMEuyKr
mD1X6CZymrV51Cni4eiVgLGw41uOKymaZN+hXe2wCQVt2yguzmKiYv60iNoS6zjr
IZ3AQSsBUnuId9Mcj8e6uYi1agnnc+gRQKfRzMpijS3ljwumUNKoUMMo6vWrJYeK
mpYcqWe4PwzV9/lSEy/CG9VwcPCPwBLKBsua4dnKM3p31vjsufFoREJIE9LAwqSu
XmD+tqYF/LTdB1kC1FkYmGP1pWPgkAx9XbIGevOF6uvUA65ehD5f/xXtabz5OTZy
dc93Uk3zyZAsuT3lySNTPx8kmCFcB5kpvcY67Oduhjprl3RjM71oGDHweI12v/ye
jl0qhqdNkNwnGjkCAwEAAaNFMEMwHQYDVR0OBBYEFOWdWTCCR1jMrPoIVDaGezq1
BE3wMBIGA1UdEwEB/wQIMAYBAf8CAQMwDgYDVR0PAQH/BAQDAgEGMA0GCSqGSIb3
DQEBBQUAA4IBAQCFDF2O5G9RaEIFoN27TyclhAO992T9Ldcw46QQF+vaKSm2eT92
9hkTI7gQCvlYpNRhcL0EYWoSihfVCr3FvDB81ukMJY2GQE/szKN+OMY3EU/t3Wgx
jkzSswF07r51XgdIGn9w/xZchMB5hbgF/X++ZRGjD8ACtPhSNzkE1akxehi/oCr0
Epn3o0WC4zxe9Z2etciefC7IpJ5OCBRLbf1wbWsaY71k5h+3zvDyny67G7fyUIhz
ksLi4xaNmjICq44Y3ekQEe5+NauQrz4wlHrQMz2nZQ/1/I6eYs9HRCwBXbsdtTLS
R9I4LtD+gdwyah617jzV/OeBHRnDJELqYzmp
-----END CERTIFICATE-----
-----END CERTIFICATE-----
`
