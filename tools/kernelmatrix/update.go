package main

import (
	"bytes"
	"fmt"
	"os"
)

// The markers around the generated support table in a document: -update
// replaces what lies between them and leaves the rest of the file alone.
const (
	beginMarker = "<!-- kernelmatrix:begin -->"
	endMarker   = "<!-- kernelmatrix:end -->"
)

// replaceSection returns doc with the text between its begin and end
// markers replaced by section. Both markers must occur once, in order.
func replaceSection(doc, section []byte) ([]byte, error) {
	begin := []byte(beginMarker)
	end := []byte(endMarker)
	if n := bytes.Count(doc, begin); n != 1 {
		return nil, fmt.Errorf("want exactly one %s line, found %d", beginMarker, n)
	}
	if n := bytes.Count(doc, end); n != 1 {
		return nil, fmt.Errorf("want exactly one %s line, found %d", endMarker, n)
	}
	i := bytes.Index(doc, begin) + len(begin)
	j := bytes.Index(doc, end)
	if j < i {
		return nil, fmt.Errorf("%s comes before %s", endMarker, beginMarker)
	}
	var out bytes.Buffer
	out.Write(doc[:i])
	out.WriteString("\n\n")
	out.Write(bytes.TrimSpace(section))
	out.WriteString("\n\n")
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// updateFile rewrites the generated section of the file at path.
func updateFile(path string, section []byte) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := replaceSection(doc, section)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}
