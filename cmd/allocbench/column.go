package main

import "strconv"

// A column is an extra figure that one workload's table shows, after the
// common ones.
type column struct {
	header string
	value  func(r *Result) string
}

// newsPerOpColumn shows the values the contender made per operation (what
// sync's benchmarks report as New/op).
var newsPerOpColumn = column{"New/op", func(r *Result) string {
	return formatSmall(r.median(newsPerOp))
}}

// gcsPerOpColumn shows the GC cycles per operation (sync's GCs/op).
var gcsPerOpColumn = column{"GCs/op", func(r *Result) string {
	return formatSmall(r.median(func(run Run) float64 { return float64(run.GCs) / float64(run.Ops) }))
}}

// formatSmall prints a figure that may be far below one with two
// significant digits.
func formatSmall(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}
