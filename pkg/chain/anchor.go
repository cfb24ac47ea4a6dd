package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"hash/maphash"
	"iter"
	"slices"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// HeldAnchor is one certificate a device holds as a trust anchor, with
// where it came from: a CA file the user loads, a built-in root store, or
// (for the question "which root must the device hold") a root the server
// sent. Its certificate is parsed on first use, so a store of hundreds of
// roots costs nothing until a lookup returns one of them.
type HeldAnchor struct {
	// Origin is SourceCAFile, SourceStore or SourceServed.
	Origin Source
	// From names the CA file (its path) or the store the anchor came from.
	From string

	der     []byte
	retired bool
	once    sync.Once
	cert    *Cert

	// subject and ski are the raw subject and Subject Key Identifier
	// (slices of the DER); nextSubject and nextSKI chain the anchors of
	// the set that holds this one whose subject (SKI) hashes alike.
	subject, ski         []byte
	nextSubject, nextSKI *HeldAnchor

	sumsOnce sync.Once
	sums     *NameSums
}

// NameSums is how a root-store list names a root: the SHA-256 of its DER
// subject and of its SubjectPublicKeyInfo.
type NameSums struct {
	Subject, SPKI [sha256.Size]byte
}

// NameSums returns the anchor's NameSums, read from its DER without
// parsing it (Cert parses, and checks a root's self-signature: 1 ms a
// root) and computed once. ok is false when they cannot be read.
func (h *HeldAnchor) NameSums() (NameSums, bool) {
	h.sumsOnce.Do(func() {
		if names, ok := readNames(h.der); ok {
			h.sums = &NameSums{Subject: sha256.Sum256(names.subject), SPKI: sha256.Sum256(names.spki)}
		}
	})
	if h.sums == nil {
		return NameSums{}, false
	}
	return *h.sums, true
}

// Cert returns the anchor as certlint describes certificates. The result
// is shared: callers copy it before changing Index or Role.
func (h *HeldAnchor) Cert() *Cert {
	h.once.Do(func() {
		if h.cert == nil {
			h.cert = NewCert(h.der)
		}
		h.cert.Source = h.Origin
		h.cert.Role = RoleRoot
		if !h.cert.SelfSigned {
			h.cert.Role = RoleIntermediate
		}
	})
	return h.cert
}

// Anchors is the set of trust anchors a device holds, indexed the ways
// devices look anchors up: by subject name, by Subject Key Identifier and
// by the certificate itself. A CA file, a built-in root store or both
// populate it; BuildPath reads it. The indexes map a hash of the raw
// subject (SKI) to the first anchor of a chain (HeldAnchor.nextSubject,
// nextSKI) in the order they were added; a lookup compares the bytes.
// Hashing the keys instead of copying them into strings and lists cut
// indexing the embedded store at every start from 622 allocations (81 KB)
// to 152 (42 KB).
type Anchors struct {
	all       []*HeldAnchor
	bySubject map[uint64]*HeldAnchor
	bySKI     map[uint64]*HeldAnchor
	parts     []*Anchors // a union: lookups go to each part in turn
	// keep, when set, hides the anchors (own and of the parts) it
	// rejects: a Filter view.
	keep func(*HeldAnchor) bool
}

// NewAnchors returns an empty set of anchors.
func NewAnchors() *Anchors {
	return &Anchors{}
}

// anchorSeed seeds the hashes of the anchor indexes.
var anchorSeed = maphash.MakeSeed()

func keyOf(b []byte) uint64 { return maphash.Bytes(anchorSeed, b) }

// AddDER adds one anchor from its DER encoding, as a root store file holds
// it. Only the subject and Subject Key Identifier are read (a DER walk,
// about 0.05 ms for the whole Mozilla set); the lenient parse runs only
// when a lookup returns the anchor. It reports false for bytes whose
// subject cannot be read and for a certificate already held.
func (a *Anchors) AddDER(der []byte, origin Source, from string) bool {
	names, ok := readNames(der)
	if !ok {
		return false
	}
	return a.add(&HeldAnchor{Origin: origin, From: from, der: der, subject: names.subject, ski: names.ski})
}

// AddCert adds a certificate certlint has already parsed (one from a CA
// file). A certificate zcrypto could not parse cannot be an anchor and is
// skipped; so is one already held.
func (a *Anchors) AddCert(c *Cert, origin Source, from string) bool {
	if c == nil || c.Parsed == nil {
		return false
	}
	cp := *c
	return a.add(&HeldAnchor{Origin: origin, From: from, der: c.Raw, cert: &cp, subject: c.Parsed.RawSubject, ski: c.SKI})
}

// add indexes a new anchor (one no other set holds: the chains run
// through it).
func (a *Anchors) add(h *HeldAnchor) bool {
	if a.entryDER(h.subject, h.der) != nil {
		return false
	}
	if a.bySubject == nil {
		a.bySubject, a.bySKI = map[uint64]*HeldAnchor{}, map[uint64]*HeldAnchor{}
	}
	a.all = append(a.all, h)
	chainIn(a.bySubject, h.subject, h, func(x *HeldAnchor) **HeldAnchor { return &x.nextSubject })
	if len(h.ski) > 0 {
		chainIn(a.bySKI, h.ski, h, func(x *HeldAnchor) **HeldAnchor { return &x.nextSKI })
	}
	return true
}

// chainIn appends h to the chain of key in index.
func chainIn(index map[uint64]*HeldAnchor, key []byte, h *HeldAnchor, next func(*HeldAnchor) **HeldAnchor) {
	k := keyOf(key)
	last := index[k]
	if last == nil {
		index[k] = h
		return
	}
	for *next(last) != nil {
		last = *next(last)
	}
	*next(last) = h
}

// ownWithSubject returns the set's own anchors (not its parts') whose
// subject is raw, in the order they were added.
func (a *Anchors) ownWithSubject(raw []byte) []*HeldAnchor {
	var out []*HeldAnchor
	for h := a.bySubject[keyOf(raw)]; h != nil; h = h.nextSubject {
		if bytes.Equal(h.subject, raw) {
			out = append(out, h)
		}
	}
	return out
}

// entryDER returns the set's own anchor with this subject and DER, or nil.
func (a *Anchors) entryDER(subject, der []byte) *HeldAnchor {
	for h := a.bySubject[keyOf(subject)]; h != nil; h = h.nextSubject {
		if bytes.Equal(h.der, der) {
			return h
		}
	}
	return nil
}

// Len returns how many anchors the set holds.
func (a *Anchors) Len() int {
	n := 0
	a.each(func(*HeldAnchor) bool {
		n++
		return true
	})
	return n
}

// withSubject returns the anchors whose subject is the given raw name.
func (a *Anchors) withSubject(raw []byte) []*HeldAnchor {
	if a == nil {
		return nil
	}
	out := a.ownWithSubject(raw)
	for _, p := range a.parts {
		out = append(out, p.withSubject(raw)...)
	}
	return a.kept(out)
}

// withSKI returns the anchors whose Subject Key Identifier is ski.
func (a *Anchors) withSKI(ski []byte) []*HeldAnchor {
	if a == nil || len(ski) == 0 {
		return nil
	}
	var out []*HeldAnchor
	for h := a.bySKI[keyOf(ski)]; h != nil; h = h.nextSKI {
		if bytes.Equal(h.ski, ski) {
			out = append(out, h)
		}
	}
	for _, p := range a.parts {
		out = append(out, p.withSKI(ski)...)
	}
	return a.kept(out)
}

// kept drops from hs (a slice the caller owns) the anchors a's filter
// hides.
func (a *Anchors) kept(hs []*HeldAnchor) []*HeldAnchor {
	if a.keep == nil {
		return hs
	}
	return slices.DeleteFunc(hs, func(h *HeldAnchor) bool { return !a.keep(h) })
}

// shows reports whether an anchor passes both a's filter and the filter
// of the view a lookup came through (outer, nil for none).
func (a *Anchors) shows(h *HeldAnchor, outer func(*HeldAnchor) bool) bool {
	return (a.keep == nil || a.keep(h)) && (outer == nil || outer(h))
}

// within combines a's filter with the outer one, for a lookup passed on
// to a's parts.
func (a *Anchors) within(outer func(*HeldAnchor) bool) func(*HeldAnchor) bool {
	if a.keep == nil {
		return outer
	}
	if outer == nil {
		return a.keep
	}
	return func(h *HeldAnchor) bool { return a.keep(h) && outer(h) }
}

// holding returns the held anchor that is c itself: the same certificate,
// or the same subject and public key (a re-issued copy of it).
func (a *Anchors) holding(c *Cert) *HeldAnchor {
	if c == nil || c.Parsed == nil {
		return nil
	}
	return a.holdingWithin(c, nil)
}

func (a *Anchors) holdingWithin(c *Cert, outer func(*HeldAnchor) bool) *HeldAnchor {
	if a == nil {
		return nil
	}
	same := a.ownWithSubject(c.Parsed.RawSubject)
	for _, h := range same {
		if bytes.Equal(h.der, c.Raw) && a.shows(h, outer) {
			return h
		}
	}
	for _, h := range same {
		if a.shows(h, outer) {
			if hc := h.Cert(); hc.Parsed != nil && bytes.Equal(hc.Parsed.RawSubjectPublicKeyInfo, c.Parsed.RawSubjectPublicKeyInfo) {
				return h
			}
		}
	}
	inner := a.within(outer)
	for _, p := range a.parts {
		if h := p.holdingWithin(c, inner); h != nil {
			return h
		}
	}
	return nil
}

// All yields every anchor of the set (parts included) that its filters
// show, in the order they were added.
func (a *Anchors) All() iter.Seq[*HeldAnchor] {
	return func(yield func(*HeldAnchor) bool) { a.each(yield) }
}

// each calls yield with every anchor of a (parts included) that a's
// filters show, in the order they were added, until yield returns false.
func (a *Anchors) each(yield func(*HeldAnchor) bool) bool {
	return a.eachWithin(nil, yield)
}

func (a *Anchors) eachWithin(outer func(*HeldAnchor) bool, yield func(*HeldAnchor) bool) bool {
	if a == nil {
		return true
	}
	for _, h := range a.all {
		if a.shows(h, outer) && !yield(h) {
			return false
		}
	}
	inner := a.within(outer)
	for _, p := range a.parts {
		if !p.eachWithin(inner, yield) {
			return false
		}
	}
	return true
}

// Filter returns a view of a that holds only the anchors keep accepts: a
// device's own root store drawn from the embedded one. keep is asked
// about the anchors a lookup finds, when it finds them, so a view over
// hundreds of roots costs only the lookups a path makes (Len asks about
// every anchor). The view shares a; keep must give the same answer every
// time and be safe for concurrent use.
func (a *Anchors) Filter(keep func(*HeldAnchor) bool) *Anchors {
	v := NewAnchors()
	v.keep = keep
	if a != nil {
		v.parts = []*Anchors{a}
	}
	return v
}

// holdsDER reports whether the set holds exactly this certificate.
func (a *Anchors) holdsDER(c *Cert) bool {
	if c == nil || c.Parsed == nil {
		return false
	}
	return a.holdsDERWithin(c, nil)
}

func (a *Anchors) holdsDERWithin(c *Cert, outer func(*HeldAnchor) bool) bool {
	if a == nil {
		return false
	}
	if h := a.entry(c); h != nil && a.shows(h, outer) {
		return true
	}
	inner := a.within(outer)
	for _, p := range a.parts {
		if p.holdsDERWithin(c, inner) {
			return true
		}
	}
	return false
}

// Union returns a set that holds the anchors of every given set; the sets
// are shared, not copied. Nil sets are ignored.
func Union(sets ...*Anchors) *Anchors {
	u := NewAnchors()
	for _, s := range sets {
		if s != nil {
			u.parts = append(u.parts, s)
		}
	}
	return u
}

// CAFileAnchors returns the anchors of the CA files a device holds (--ca,
// repeatable; a file may hold a whole bundle), or nil when there are none.
func CAFileAnchors(files []*CAFile) *Anchors {
	if len(files) == 0 {
		return nil
	}
	a := NewAnchors()
	for _, f := range files {
		for _, c := range f.Certs {
			a.AddCert(c, SourceCAFile, f.Path)
		}
	}
	return a
}

// StoreName names the embedded root store in reports.
const StoreName = "mozilla"

// StoreAnchors returns the embedded root store: the Mozilla roots of
// golang.org/x/crypto/x509roots/fallback plus the retired roots deployed
// devices still hold (see IsRetiredStoreRoot). It is built once, on first
// use: most runs with a CA file never need it.
func StoreAnchors() *Anchors {
	storeOnce.Do(func() {
		s := &Anchors{
			all:       make([]*HeldAnchor, 0, storeSizeHint),
			bySubject: make(map[uint64]*HeldAnchor, storeSizeHint),
			bySKI:     make(map[uint64]*HeldAnchor, storeSizeHint),
		}
		for r := range bundle.Roots() {
			s.AddDER(r.Certificate, SourceStore, StoreName)
		}
		rest := []byte(retiredRootsPEM)
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if s.AddDER(block.Bytes, SourceStore, StoreName) {
				s.all[len(s.all)-1].retired = true
			}
		}
		store = s
	})
	return store
}

// storeSizeHint is about the number of embedded roots, so the index maps
// are made once at their final size.
const storeSizeHint = 160

var (
	storeOnce sync.Once
	store     *Anchors
)

// LoadableAnchors is what a device could be given to hold for this chain:
// the roots of the store (nil: StoreAnchors) and any root the server sends
// itself. BuildPath with it answers "which root completes the path", the
// root a fix names.
func LoadableAnchors(served []*Cert, store *Anchors) *Anchors {
	if store == nil {
		store = StoreAnchors()
	}
	sent := NewAnchors()
	for _, c := range served {
		if c.SelfSigned {
			sent.AddCert(c, SourceServed, "")
		}
	}
	return Union(store, sent)
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
	s := StoreAnchors()
	if h := s.entry(c); h != nil {
		return anchorCopy(h)
	}
	for _, h := range append(s.withSKI(c.AKI), s.withSubject(c.Parsed.RawIssuer)...) {
		if !bytes.Equal(h.der, c.Raw) && verifyLink(h.Cert(), c) == linkOK {
			return anchorCopy(h)
		}
	}
	return nil
}

// entry returns the set's own entry for c (the same DER), or nil.
func (a *Anchors) entry(c *Cert) *HeldAnchor {
	return a.entryDER(c.Parsed.RawSubject, c.Raw)
}

// anchorCopy returns a copy of a held anchor's certificate that the caller
// may number and place in a chain.
func anchorCopy(h *HeldAnchor) *Cert {
	cp := *h.Cert()
	return &cp
}

// IsRetiredStoreRoot reports whether c is one of the roots certlint keeps
// although Mozilla has removed them (Baltimore CyberTrust Root, expired
// 2025-05-12): devices built while they were trusted still hold them, and
// the field reports this tool exists for are anchored by them.
func IsRetiredStoreRoot(c *Cert) bool {
	if c == nil || c.Parsed == nil {
		return false
	}
	h := StoreAnchors().entry(c)
	return h != nil && h.retired
}

// oidSubjectKeyID is the DER content of id-ce-subjectKeyIdentifier,
// 2.5.29.14 (RFC 5280, 4.2.1.2).
var oidSubjectKeyID = []byte{0x55, 0x1d, 0x0e}

// derNames are the parts of a certificate an anchor is looked up by, as
// raw DER: the subject (with its header, as RawSubject and RawIssuer hold
// it), the SubjectPublicKeyInfo and the Subject Key Identifier (nil when
// the certificate has none).
type derNames struct {
	subject, spki, ski []byte
}

// readNames reads a certificate's derNames by walking the DER, without
// parsing the rest; ok is false when the walk fails.
func readNames(der []byte) (names derNames, ok bool) {
	input := cryptobyte.String(der)
	var cert, tbs, subj, spki cryptobyte.String
	if !input.ReadASN1(&cert, asn1.SEQUENCE) || !cert.ReadASN1(&tbs, asn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(asn1.Tag(0).Constructed().ContextSpecific()) || // version
		!tbs.SkipASN1(asn1.INTEGER) || // serialNumber
		!tbs.SkipASN1(asn1.SEQUENCE) || // signature
		!tbs.SkipASN1(asn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(asn1.SEQUENCE) || // validity
		!tbs.ReadASN1Element(&subj, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, asn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(asn1.Tag(1).ContextSpecific()) || // issuerUniqueID
		!tbs.SkipOptionalASN1(asn1.Tag(2).ContextSpecific()) { // subjectUniqueID
		return names, false
	}
	names.subject, names.spki = subj, spki
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, asn1.Tag(3).Constructed().ContextSpecific()) {
		return derNames{}, false
	}
	if !present {
		return names, true
	}
	var list cryptobyte.String
	if !exts.ReadASN1(&list, asn1.SEQUENCE) {
		return derNames{}, false
	}
	for !list.Empty() {
		var ext, oid, value, id cryptobyte.String
		if !list.ReadASN1(&ext, asn1.SEQUENCE) || !ext.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
			!ext.SkipOptionalASN1(asn1.BOOLEAN) || !ext.ReadASN1(&value, asn1.OCTET_STRING) {
			return derNames{}, false
		}
		if bytes.Equal(oid, oidSubjectKeyID) {
			if !value.ReadASN1(&id, asn1.OCTET_STRING) {
				return derNames{}, false
			}
			names.ski = id
			return names, true
		}
	}
	return names, true
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
`
