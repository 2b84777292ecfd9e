package main

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// result makes a Result of one run.
func result(workload, impl string, cpu, procs int, ns float64) Result {
	return Result{Workload: workload, Impl: impl, CPU: cpu, GOMAXPROCS: procs, Runs: []Run{{Ops: 1, NsPerOp: ns}}}
}

// The summary's geomean and worst cell count only the cells a contender ran
// beside sync.Pool; a contender with none is left out; the best comes first.
func TestSummary(t *testing.T) {
	results := []Result{
		result("pair", "syncpool", 1, 1, 10),
		result("pair", "alloc", 1, 1, 5),
		result("pair", "perp", 1, 1, 8),
		result("burst", "syncpool", 2, 2, 10),
		result("burst", "alloc", 2, 2, 20),
		result("burst", "perp", 1, 1, 1), // no sync.Pool at burst cpu=1: not counted
		result("counter", "atomic", 1, 1, 3),
	}
	lines := summarize(results)
	if len(lines) != 2 || lines[0].impl != "perp" || lines[1].impl != "alloc" {
		t.Fatalf("summary %+v, want perp then alloc", lines)
	}
	perp, alloc := lines[0], lines[1]
	if perp.cells != 1 || math.Abs(perp.geomean-0.8) > 1e-9 || perp.where != "pair cpu=1" {
		t.Errorf("perp: %+v, want 1 cell, geomean 0.8, worst at pair cpu=1", perp)
	}
	if alloc.cells != 2 || math.Abs(alloc.geomean-1) > 1e-9 || alloc.worst != 2 || alloc.where != "burst cpu=2" {
		t.Errorf("alloc: %+v, want 2 cells, geomean 1, worst 2 at burst cpu=2", alloc)
	}
	var b strings.Builder
	if err := writeSummary(&b, results); err != nil || !strings.Contains(b.String(), "0.80×") || strings.Contains(b.String(), "atomic") {
		t.Errorf("writeSummary: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := writeSummary(&b, results[6:]); err != nil || b.Len() != 0 {
		t.Errorf("a summary without sync.Pool: %v %q", err, b.String())
	}
}

// A NAME/fallback row is divided by the sync.Pool row of its own process
// (syncpool/fallback) where the child ran one, and by the parent's where it
// did not; syncpool/fallback itself by the parent's, in the summary, the
// table and the chart alike.
func TestFallbackRowsUseTheChildsSyncPool(t *testing.T) {
	results := []Result{
		result("pair", "syncpool", 1, 1, 10),
		result("pair", "syncpool/fallback", 1, 1, 20), // the child ran twice as slow
		result("pair", "alloc/fallback", 1, 1, 10),
		result("burst", "syncpool", 1, 1, 10), // no child's sync.Pool here
		result("burst", "alloc/fallback", 1, 1, 5),
	}
	got := map[string]summaryLine{}
	for _, s := range summarize(results) {
		got[s.impl] = s
	}
	if s := got["alloc/fallback"]; s.cells != 2 || s.worst != 0.5 || math.Abs(s.geomean-0.5) > 1e-9 {
		t.Errorf("alloc/fallback: %+v, want 0.5× in both cells (10 ÷ the child's 20, 5 ÷ the parent's 10)", s)
	}
	if s := got["syncpool/fallback"]; s.cells != 1 || s.worst != 2 {
		t.Errorf("syncpool/fallback: %+v, want 2× the parent's sync.Pool", s)
	}
	var b strings.Builder
	if err := writeTable(&b, &Report{Header: Header{Cores: 2}, Results: results}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "alloc/fallback" && f[len(f)-1] != "0.50×" {
			t.Errorf("table row %q: want 0.50× sync.Pool", line)
		}
	}
	bars, impls := panelBars("pair", results, []int{1})
	var ratios []float64
	for _, bar := range bars.bars {
		ratios = append(ratios, bar.ratio)
	}
	slices.Sort(ratios)
	if !slices.Equal(ratios, []float64{0.5, 2}) {
		t.Errorf("chart rows %q: ratios %v, want 0.5 (alloc/fallback) and 2 (syncpool/fallback)", impls, ratios)
	}
}

// Rows that ran more Ps than the machine's CPUs are marked, and the header
// says which -cpu values and workloads those are.
func TestOversubscriptionMark(t *testing.T) {
	results := []Result{
		result("pair", "syncpool", 1, 1, 10),
		result("pair", "syncpool", 4, 4, 10),
		result("oversub", "syncpool", 1, 4, 10),
	}
	line := oversubscription(results, 2)
	for _, want := range []string{"2 CPUs", "-cpu 4", "every oversub row"} {
		if !strings.Contains(line, want) {
			t.Errorf("header line %q lacks %q", line, want)
		}
	}
	if got := oversubscription(results[:1], 2); got != "" {
		t.Errorf("no oversubscribed row, but the header says %q", got)
	}
	g := workloadGrid(lookupWorkload("pair"), results, 2)
	var marked []string
	for _, row := range g.rows {
		if row != nil {
			marked = append(marked, row[0])
		}
	}
	if strings.Join(marked, " ") != "1 4"+oversubscribedMark {
		t.Errorf("cpu column %q, want 1 and 4 marked", marked)
	}
}
