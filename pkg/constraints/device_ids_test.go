package constraints

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// No built-in device's ID or alias is written in a string of the Go code
// outside profiles/: what a device does lives in its YAML, so a new device
// is one file and a custom profile that extends a built-in one gets all it
// knows. Comments and the help examples of commands (cobra's Example) may
// name a device; generated files (the profile snapshot) are made from the
// YAML.
func TestNoDeviceIDInGo(t *testing.T) {
	files, err := filepath.Glob("../../profiles/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("profiles: %v (%d files)", err, len(files))
	}
	var names []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ID      string   `yaml:"id"`
			Aliases []string `yaml:"aliases"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, n := range append([]string{doc.ID}, doc.Aliases...) {
			names = append(names, regexp.QuoteMeta(n))
		}
	}
	device := regexp.MustCompile(`(^|[^A-Za-z0-9_-])(` + strings.Join(names, "|") + `)([^A-Za-z0-9_-]|$)`)
	for _, dir := range []string{"../../cmd", "../../internal", "../../pkg"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			if ast.IsGenerated(f) {
				return nil
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if kv, ok := n.(*ast.KeyValueExpr); ok {
					if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Example" {
						return false
					}
				}
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if m := device.FindStringSubmatch(s); m != nil {
					t.Errorf("%s: device %q in a string: move what it knows into the device's profile", fset.Position(lit.Pos()), m[2])
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
