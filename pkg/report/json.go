package report

import "io"

// WriteJSON renders the report as the certlint/v1 JSON document, indented.
// Certificate text stays as it came, escaped by JSON itself. A Stream
// writes the same bytes one target at a time.
func WriteJSON(w io.Writer, r *Report) error { return renderAll(w, "json", r, Options{}) }
