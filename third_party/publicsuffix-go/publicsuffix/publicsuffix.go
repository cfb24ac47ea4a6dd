// Package publicsuffix stands in for github.com/weppos/publicsuffix-go in
// certlint's build (go.mod replaces it with this directory).
//
// zcrypto/x509 imports the real package only for
// Certificate.GetParsedDNSNames and GetParsedSubjectCommonName, helpers
// for zlint that certlint never calls. The real package builds its
// 10,248-rule list in an init function: 1.2 ms and 870 KB on every
// certlint start, a fifth of a whole offline check. This package has the
// same API surface zcrypto uses, and every lookup fails with
// ErrNotLinked, so a future caller finds out at once instead of getting a
// wrong answer.
package publicsuffix

import "errors"

// ErrNotLinked is returned by every lookup: certlint does not link the
// Public Suffix List.
var ErrNotLinked = errors.New("publicsuffix: the Public Suffix List is not linked into certlint")

// Rule is a Public Suffix List rule.
type Rule struct {
	Type    int
	Value   string
	Length  int
	Private bool
}

// FindOptions are the options of a lookup.
type FindOptions struct {
	IgnorePrivate bool
	DefaultRule   *Rule
}

// List is a Public Suffix List; this one is always empty.
type List struct{}

// DomainName is a domain split at its public suffix.
type DomainName struct {
	TLD  string
	SLD  string
	TRD  string
	Rule *Rule
}

// DefaultList is the list lookups use by default.
var DefaultList = &List{}

// DefaultRule is the "*" rule.
var DefaultRule = &Rule{Type: 2, Value: "*", Length: 1}

// ParseFromListWithOptions always fails with ErrNotLinked.
func ParseFromListWithOptions(l *List, name string, options *FindOptions) (*DomainName, error) {
	return nil, ErrNotLinked
}
