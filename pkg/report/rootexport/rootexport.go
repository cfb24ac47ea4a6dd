// Package rootexport renders what `certlint root` found: the root that
// anchors a chain, written the way a device loads it, with the steps and
// pin forms (text), the certlint/v1 root document (JSON), or why the device
// cannot hold the root. It sits beside pkg/report, not in it, because it
// renders pkg/certlint's values and pkg/certlint builds reports.
package rootexport

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/certlint/certlint/pkg/certlint"
	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// WriteText prints the root, where its file goes, the steps and the pin
// forms; then the file content when nothing was written (written empty),
// or the path written.
func WriteText(w io.Writer, e *certlint.RootExport, written string) error {
	writeRootInstructions(w, e)
	if written == "" {
		_, err := fmt.Fprintf(w, "\n%s (%s, %d bytes; nothing written, use --out DIR):\n%s", e.FileName, strings.ToUpper(e.Format), len(e.Content), e.ContentText())
		return err
	}
	_, err := fmt.Fprintf(w, "\nwrote %s (%s, %d bytes)\n", written, strings.ToUpper(e.Format), len(e.Content))
	return err
}

// WriteJSON writes `certlint root -o json`
// (docs/schema/certlint-v1.json#/$defs/root); written is the path of the
// file written, empty when none was.
func WriteJSON(w io.Writer, e *certlint.RootExport, written string) error {
	return writeJSON(w, newRootJSON(e, written))
}

// WriteRefusal prints that the device cannot hold the root, why, and what
// would work instead; the first line in bold red when colored.
func WriteRefusal(w io.Writer, r *certlint.RootRefusal, colored bool) error {
	head := fmt.Sprintf("certlint: %s cannot hold %s", r.Device, report.Clean(r.Root))
	if colored {
		c := color.New(color.FgRed, color.Bold)
		c.EnableColor()
		head = c.Sprint(head)
	}
	_, err := fmt.Fprintf(w, "%s\n  why: %s\n  instead: %s\n", head, report.Clean(r.Reason), report.Clean(r.Instead))
	return err
}

// WriteRefusalJSON writes the root document holding only the refusal.
func WriteRefusalJSON(w io.Writer, r *certlint.RootRefusal) error {
	return writeJSON(w, rootJSON{Schema: report.Schema, Device: r.Device, Refusal: &rootRefusalJSON{Root: r.Root, Reason: r.Reason, Instead: r.Instead}})
}

// rootJSON is `certlint root -o json` (docs/schema/certlint-v1.json#/$defs/root).
type rootJSON struct {
	Schema     string           `json:"schema"`
	Device     string           `json:"device"`
	DeviceName string           `json:"device_name,omitempty"`
	Source     string           `json:"source,omitempty"`
	Root       *report.Cert     `json:"root,omitempty"`
	Anchors    string           `json:"anchors,omitempty"`
	Format     string           `json:"format,omitempty"`
	FileName   string           `json:"file_name,omitempty"`
	DevicePath string           `json:"device_path,omitempty"`
	Content    []byte           `json:"content,omitempty"`
	At         *time.Time       `json:"at,omitempty"`
	Steps      []string         `json:"steps,omitempty"`
	Snippet    string           `json:"snippet,omitempty"`
	Notes      []string         `json:"notes,omitempty"`
	Written    string           `json:"written,omitempty"`
	Refusal    *rootRefusalJSON `json:"refusal,omitempty"`
	// Pins are what to pin instead of the root, for a device that pins.
	Pins []constraints.PinForm `json:"pins,omitempty"`
	// Held says whether each --pin still matches.
	Held []certlint.HeldPin `json:"held_pins,omitempty"`
}

// rootRefusalJSON is the refusal in a root document.
type rootRefusalJSON struct {
	Root    string `json:"root"`
	Reason  string `json:"reason"`
	Instead string `json:"instead"`
}

// newRootJSON is the root document of an export.
func newRootJSON(e *certlint.RootExport, written string) rootJSON {
	root := report.NewCert(e.Root)
	at := e.At.UTC()
	return rootJSON{
		Schema: report.Schema, Device: e.Device, DeviceName: e.DeviceName, Source: e.Source, Root: &root,
		Anchors: e.Anchors, Format: e.Format, FileName: e.FileName, DevicePath: e.DevicePath, Content: e.Content,
		At: &at, Steps: e.Steps, Snippet: e.Snippet, Notes: e.Notes, Written: written, Pins: e.Pins, Held: e.Held,
	}
}

// writeRootInstructions prints the root, its file, notes, steps, snippet
// and pin forms.
func writeRootInstructions(w io.Writer, e *certlint.RootExport) {
	r := e.Root
	fmt.Fprintf(w, "root for %s (%s): %s\n", e.Device, e.DeviceName, report.Clean(r.Subject))
	fmt.Fprintf(w, "  chain     %s\n", report.Clean(e.Source))
	fmt.Fprintf(w, "  anchors   %s (root source: %s)\n", report.Clean(e.Anchors), r.Source)
	fmt.Fprintf(w, "  key       %s-%d, %s bytes DER, valid until %s\n", strings.ToUpper(r.KeyType), r.KeyBits, constraints.Thousands(len(r.Raw)), r.NotAfter.UTC().Format("2006-01-02"))
	fmt.Fprintf(w, "  SKI       %s\n", r.SKIHex())
	fmt.Fprintf(w, "  SHA-256   %s\n", r.SHA256)
	where := e.FileName
	if e.DevicePath != "" && e.DevicePath != e.FileName {
		where += " → " + e.DevicePath
	}
	fmt.Fprintf(w, "  file      %s (%s, %s bytes)\n", where, strings.ToUpper(e.Format), constraints.Thousands(len(e.Content)))
	for _, n := range e.Notes {
		fmt.Fprintf(w, "  note      %s\n", n)
	}
	fmt.Fprintln(w, "\nsteps:")
	for i, s := range e.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	if e.Snippet != "" {
		fmt.Fprintf(w, "\n%s\n", e.Snippet)
	}
	writePinForms(w, e)
}

// writePinForms prints, for a device that can pin, what to pin instead of
// holding the root, each with how long it lasts, against the root above.
func writePinForms(w io.Writer, e *certlint.RootExport) {
	for _, h := range e.Held {
		switch {
		case h.Call == "":
			fmt.Fprintf(w, "\npin %s (%s): %s cannot hold a pin of this kind\n", report.Clean(h.Pin), h.Origin, e.DeviceName)
		case h.Matches:
			fmt.Fprintf(w, "\npin %s (%s) still matches what %s compares (%s)\n", report.Clean(h.Pin), h.Origin, e.DeviceName, h.Call)
		default:
			fmt.Fprintf(w, "\npin %s (%s) no longer matches the leaf served now (%s): pin a value below\n", report.Clean(h.Pin), h.Origin, h.Call)
		}
	}
	if len(e.Pins) == 0 {
		return
	}
	fmt.Fprintf(w, "\nor pin the server instead (%s can; the chain is then not validated):\n", e.DeviceName)
	for _, f := range e.Pins {
		switch {
		case !strings.Contains(f.Value, "\n"):
			fmt.Fprintf(w, "  %s %q\n", f.Call, f.Value)
		case f.Code != "":
			fmt.Fprintf(w, "  %s (%s, in the code below)\n", f.Call, f.Kind)
		default:
			fmt.Fprintf(w, "  %s\n%s\n", f.Call, f.Value)
		}
		fmt.Fprintf(w, "    lasts: %s\n", f.Lasts)
		if f.Cost != "" {
			fmt.Fprintf(w, "    cost:  %s\n", f.Cost)
		}
		if f.Code != "" {
			fmt.Fprintf(w, "\n%s\n\n", strings.TrimRight(f.Code, "\n"))
		}
	}
	fmt.Fprintf(w, "  the root above: survives every renewal under it, until %s; costs %s bytes of DER in flash, a full chain validation and a set clock\n",
		e.Root.NotAfter.UTC().Format("2006-01-02"), constraints.Thousands(len(e.Root.Raw)))
}

// writeJSON writes one indented JSON document.
func writeJSON(w io.Writer, v interface{}) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
