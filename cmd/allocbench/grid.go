package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// A grid is a table of text in aligned columns: names left-aligned, figures
// right-aligned, and blank lines where sections break.
type grid struct {
	header []string
	right  []bool     // right[i]: column i is right-aligned
	rows   [][]string // a nil row is a blank line
}

func (g *grid) add(cells ...string) { g.rows = append(g.rows, cells) }
func (g *grid) gap()                { g.rows = append(g.rows, nil) }

// write writes the grid, each line indented by indent.
func (g *grid) write(w io.Writer, indent string) error {
	widths := make([]int, len(g.header))
	for _, row := range append([][]string{g.header}, g.rows...) {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range append([][]string{g.header}, g.rows...) {
		if row == nil {
			b.WriteString("\n")
			continue
		}
		line := indent
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if g.right[i] {
				line += pad + cell
			} else {
				line += cell + pad
			}
			line += "  "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
