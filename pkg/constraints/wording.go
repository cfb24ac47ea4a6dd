package constraints

import (
	"strconv"
	"strings"
)

// The wording every check writes its findings with, in one place.

// skip is the single finding of a check that cannot apply, with the reason.
func skip(reason string) []Finding {
	return []Finding{{Severity: Skip, CertIndex: -1, Message: reason}}
}

// Thousands formats n with comma separators (3813 → "3,813"), as findings
// and reports quote sizes and key bits.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// plural picks the singular or plural noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
