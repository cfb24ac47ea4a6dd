package report

import (
	"fmt"
	"strings"
	"unicode"
)

// Clean makes text from a certificate or a server safe for a terminal:
// control characters (ANSI escapes, newlines) and bidi overrides are
// replaced by their escaped form, so a subject cannot move the cursor,
// recolour the screen or reorder what the reader sees.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		// Printable ASCII, nearly every rune of a report: no table lookup.
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar
}
