package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Options are the settings renderers may use; each format reads what it
// needs and ignores the rest.
type Options struct {
	Text TextOptions
	// FailOnWarn is --fail-on warn: the run exits 1 on warnings, so the
	// formats that carry a pass/fail per device (JUnit) fail warning
	// devices too and agree with the exit code.
	FailOnWarn bool
	// ToolVersion is certlint's version, for the formats that name the
	// tool (SARIF tool.driver.version); empty = "devel".
	ToolVersion string
}

// Renderer writes a report in one output format.
type Renderer func(w io.Writer, r *Report, opts Options) error

var renderers = map[string]Renderer{}

// Registered in init: the renderers reach Lookup through the Stream, and
// a map literal referring to them would be an initialization cycle.
func init() {
	RegisterFormat("text", func(w io.Writer, r *Report, opts Options) error { return WriteText(w, r, opts.Text) })
	RegisterFormat("json", func(w io.Writer, r *Report, _ Options) error { return WriteJSON(w, r) })
}

// RegisterFormat adds an output format; each format file calls it from init.
func RegisterFormat(name string, render Renderer) { renderers[name] = render }

// Formats lists the output format names, sorted.
func Formats() []string { return slices.Sorted(maps.Keys(renderers)) }

// Lookup returns the renderer of a format, or an error naming the format
// asked for and the formats there are (`"yaml": want one of json, ...`).
func Lookup(format string) (Renderer, error) {
	if r, ok := renderers[strings.ToLower(format)]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("%q: want one of %s", format, strings.Join(Formats(), ", "))
}
