package report

import (
	"encoding/json"
	"io"
)

// WriteJSON renders the report as the certlint/v1 JSON document, indented.
// Certificate text stays as it came, escaped by JSON itself.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
