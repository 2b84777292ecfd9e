package main

import (
	"math"
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
