package main

import (
	"encoding/json"
	"io"
)

// writeJSON writes the report as indented JSON: the Report type is the
// schema.
func writeJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
