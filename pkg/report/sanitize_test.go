package report

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CN=plain ASCII ~!", "CN=plain ASCII ~!"},
		{"tab\there", `tab\u0009here`},
		{"unit\x1fsep", `unit\u001fsep`},
		{"del\x7f", `del\u007f`},
		{"esc\x1b[31mred", `esc\u001b[31mred`},
		{"bidi\u202eevil", `bidi\u202eevil`},
		{"Zürich 東京", "Zürich 東京"},
		{"bad\xffbyte", `bad\ufffdbyte`},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
