package report

import "bytes"

// appendIndented appends compact JSON (as json.Marshal writes it: no
// white space outside strings) to dst, indented exactly as json.Indent
// would indent it with this prefix and indent: each element on its own
// line, "key": value, and empty objects and arrays kept as {} and [].
//
// json.Indent runs its validating scanner over every byte; for a -d all
// batch report (about 130 KB) that was most of the cost of encoding it.
// Input from json.Marshal is valid already, so this copies each string
// whole (found with bytes.IndexByte) and looks only at the bytes between.
// TestAppendIndentedMatchesJSONIndent and FuzzAppendIndented hold it to
// json.Indent's output byte for byte.
func appendIndented(dst, src []byte, prefix, indent string) []byte {
	depth := 0
	newline := func(dst []byte) []byte {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
		return dst
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			depth++
			dst = newline(append(dst, c))
		case '}', ']':
			depth--
			dst = append(newline(dst), c)
		case ',':
			dst = newline(append(dst, c))
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd returns the index just past the JSON string that starts at
// src[start] (a '"'): the first quote after it not escaped by an odd run
// of backslashes. It returns len(src) when the string does not end.
func stringEnd(src []byte, start int) int {
	for i := start + 1; ; i++ {
		j := bytes.IndexByte(src[i:], '"')
		if j < 0 {
			return len(src)
		}
		i += j
		k := i - 1
		for k > start && src[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			return i + 1
		}
	}
}
