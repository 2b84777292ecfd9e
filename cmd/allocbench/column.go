package main

import (
	"strconv"

	"github.com/dustin/go-humanize"
)

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

// The request columns, for workloads with Workload.Latency: the process's
// CPU time per request, the GC's share of the CPU and the median and
// 99th-percentile request latency.
var (
	cpuPerOpColumn = column{"CPU/op", func(r *Result) string {
		if ns := r.median(cpuNsPerOp); ns > 0 {
			return formatNs(ns) + " ns"
		}
		return "—"
	}}
	gcCPUFractionColumn = column{"GC CPU", func(r *Result) string {
		return strconv.FormatFloat(100*r.median(gcCPUFraction), 'f', 1, 64) + "%"
	}}
	p50Column = column{"p50", func(r *Result) string { return formatSeconds(r.median(p50Ns) / 1e9) }}
	p99Column = column{"p99", func(r *Result) string { return formatSeconds(r.median(p99Ns) / 1e9) }}
)

// formatSeconds prints a duration in seconds with an SI prefix, as the
// max pause column does.
func formatSeconds(s float64) string { return humanize.SIWithDigits(s, 2, "s") }
