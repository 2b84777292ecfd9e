package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
)

// A summaryLine is one contender's standing against sync.Pool over the
// cells both ran.
type summaryLine struct {
	impl    string
	cells   int
	geomean float64 // geometric mean of ns/op ÷ sync.Pool's ns/op
	worst   float64 // the largest of those ratios
	where   string  // the cell of the worst ratio: workload and -cpu
}

// summarize compares every contender with the reference over the cells
// (workload, -cpu value) where both ran, best geomean first. Contenders
// that never ran beside the reference are left out.
func summarize(results []Result) []summaryLine {
	refs := referencesOf(results)
	key := func(r *Result) string { return fmt.Sprintf("%s cpu=%d", r.Workload, r.CPU) }
	byImpl := map[string]*summaryLine{}
	logSums := map[string]float64{} // impl → sum of log ratios
	for i := range results {
		r := &results[i]
		base, ok := refs.base(r)
		if !ok || r.Impl == referenceImpl {
			continue
		}
		ratio := r.median(nsPerOp) / base
		s := byImpl[r.Impl]
		if s == nil {
			s = &summaryLine{impl: r.Impl}
			byImpl[r.Impl] = s
		}
		s.cells++
		logSums[r.Impl] += math.Log(ratio)
		if ratio > s.worst {
			s.worst, s.where = ratio, key(r)
		}
	}
	var lines []summaryLine
	for impl, s := range byImpl {
		s.geomean = math.Exp(logSums[impl] / float64(s.cells))
		lines = append(lines, *s)
	}
	slices.SortFunc(lines, func(a, b summaryLine) int {
		return cmp.Or(cmp.Compare(a.geomean, b.geomean), cmp.Compare(a.impl, b.impl))
	})
	return lines
}

// writeSummary writes the summary block, if any contender ran beside the
// reference.
func writeSummary(w io.Writer, results []Result) error {
	lines := summarize(results)
	if len(lines) == 0 {
		return nil
	}
	g := &grid{
		header: []string{"impl", "cells", "geomean", "worst", "worst cell"},
		right:  []bool{false, true, true, true, false},
	}
	for _, s := range lines {
		g.add(s.impl, fmt.Sprint(s.cells), fmt.Sprintf("%.2f×", s.geomean), fmt.Sprintf("%.2f×", s.worst), s.where)
	}
	if _, err := fmt.Fprintf(w, "\nsummary — ns/op ÷ sync.Pool's in the cells both ran: geometric mean, and the worst cell\n"); err != nil {
		return err
	}
	return g.write(w, "  ")
}
