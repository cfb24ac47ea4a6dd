package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// indentCases are compact JSON documents with every construct the
// indenter treats apart: nesting, empty containers, escapes in strings
// (quotes, backslashes, the characters it looks for), numbers and literals.
var indentCases = []string{
	`{}`, `[]`, `0`, `"x"`, `null`,
	`{"a":1,"b":[true,false,null],"c":{},"d":[],"e":{"f":[{"g":"h"}]}}`,
	`[[],{},[[]],[{}],{"a":[]},-1.5e+10,"s"]`,
	`{"q":"a \"quoted\" {string} [with], :punct:","b":"back\\slash\\","u":"\u003cx\u003e é \ud83d\ude00"}`,
	`{"":"","\"":"\\","k\\\"":["\\\\\"",","]}`,
}

func TestAppendIndentedMatchesJSONIndent(t *testing.T) {
	docs := indentCases
	// Every JSON golden of the package, compacted: real reports.
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if json.Compact(&compact, b) == nil {
			docs = append(docs, compact.String())
		}
	}
	if len(docs) == len(indentCases) {
		t.Fatal("no JSON golden found under testdata to compare on")
	}
	for _, doc := range docs {
		for _, p := range [][2]string{{"", "  "}, {"    ", "  "}, {">", "\t"}} {
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(doc), p[0], p[1]); err != nil {
				t.Fatalf("json.Indent(%.60s): %v", doc, err)
			}
			if got := appendIndented(nil, []byte(doc), p[0], p[1]); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("appendIndented(%.60s, %q, %q) =\n%s\nwant\n%s", doc, p[0], p[1], got, want.Bytes())
			}
		}
	}
}

// FuzzAppendIndented holds the indenter to json.Indent on any valid JSON,
// compacted as json.Marshal writes it.
func FuzzAppendIndented(f *testing.F) {
	for _, c := range indentCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var compact bytes.Buffer
		if json.Compact(&compact, data) != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "    ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndented(nil, compact.Bytes(), "    ", "  "); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendIndented(%q) =\n%s\nwant\n%s", compact.Bytes(), got, want.Bytes())
		}
	})
}

// BenchmarkAppendIndented indents a whole report (the bing-2019 golden,
// compacted); BenchmarkJSONIndent is json.Indent on the same bytes.
func BenchmarkAppendIndented(b *testing.B) {
	doc := compactGolden(b, "bing-2019.json")
	b.SetBytes(int64(len(doc)))
	var dst []byte
	for b.Loop() {
		dst = appendIndented(dst[:0], doc, "    ", "  ")
	}
}

func BenchmarkJSONIndent(b *testing.B) {
	doc := compactGolden(b, "bing-2019.json")
	b.SetBytes(int64(len(doc)))
	var dst bytes.Buffer
	for b.Loop() {
		dst.Reset()
		if err := json.Indent(&dst, doc, "    ", "  "); err != nil {
			b.Fatal(err)
		}
	}
}

func compactGolden(tb testing.TB, name string) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		tb.Fatal(err)
	}
	return compact.Bytes()
}
