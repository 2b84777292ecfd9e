package main

import (
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorseq/percpu/internal/stackshift"
)

// Every workload runs briefly with every contender that offers its shape,
// at two -cpu values, and produces sane figures.
func TestEveryWorkload(t *testing.T) {
	var rep Report
	// Every contender here; the fallback children are tested in child_test.go.
	var names []string
	for _, c := range contenders {
		names = append(names, c.Name)
	}
	if err := json.Unmarshal([]byte(mustRun(t, "-workload=all", "-impl="+strings.Join(names, ","), "-format=json")), &rep); err != nil {
		t.Fatal(err)
	}
	for _, w := range workloads {
		for _, c := range contenders {
			if !c.runs(w) {
				continue
			}
			for _, cpu := range []int{1, 2} {
				r := findResult(rep.Results, w.Name, c.Name, cpu)
				if r == nil {
					t.Errorf("%s/%s/cpu=%d: no result", w.Name, c.Name, cpu)
					continue
				}
				checkRun(t, w, c, r)
			}
		}
	}
}

func findResult(results []Result, workload, impl string, cpu int) *Result {
	i := slices.IndexFunc(results, func(r Result) bool {
		return r.Workload == workload && r.Impl == impl && r.CPU == cpu
	})
	if i < 0 {
		return nil
	}
	return &results[i]
}

// minOpsForHitRate is the fewest operations a pair cell needs before its
// hit rate is checked: the first Get of a pool always misses, and a cell
// calibrated on a slow warm-up (the first one of a -race binary, 2 ops at
// -benchtime 1ms) may run only a handful, where one or two misses are most
// Gets. With 100, the first miss adds at most 0.01 New per Get to the 0.25
// of the race build's dropped Puts.
const minOpsForHitRate = 100

// checkRun checks the figures of a result that the workload's definition
// fixes. Runs this short have too few operations for hit rates to mean much,
// except in the serial pair loop, where a pool must mostly hit.
func checkRun(t *testing.T, w *Workload, c *Contender, r *Result) {
	t.Helper()
	if r.GOMAXPROCS != w.procsFor(r.CPU) || len(r.Runs) != 1 {
		t.Errorf("%s/%s/cpu=%d: GOMAXPROCS %d, %d runs", w.Name, c.Name, r.CPU, r.GOMAXPROCS, len(r.Runs))
	}
	run := r.Runs[0]
	gets := float64(w.getsPerOp())
	switch {
	case run.Ops < 1 || run.NsPerOp <= 0:
		t.Errorf("%s/%s/cpu=%d: %d ops at %v ns/op", w.Name, c.Name, r.CPU, run.Ops, run.NsPerOp)
	case c.Baseline && w.Uses != shapeKV && run.NewsPerOp != gets: // kv stores records, it gets none
		t.Errorf("%s/%s/cpu=%d: the baseline made %v values per operation, want %v", w.Name, c.Name, r.CPU, run.NewsPerOp, gets)
	case !c.Baseline && run.NewsPerOp > gets:
		t.Errorf("%s/%s/cpu=%d: a pool made %v values per operation of %v Gets", w.Name, c.Name, r.CPU, run.NewsPerOp, gets)
	case !c.Baseline && w.Name == "pair" && r.CPU == 1 && run.Ops >= minOpsForHitRate && run.NewsPerOp > 0.5:
		t.Errorf("%s/%s/cpu=%d: a pool made %v values per Get", w.Name, c.Name, r.CPU, run.NewsPerOp)
	}
}

// The oversubscribed workload runs more Ps than CPUs at every -cpu value.
func TestOversubProcs(t *testing.T) {
	w := lookupWorkload("oversub")
	for _, cpu := range []int{1, 2, 64} {
		if p := w.procsFor(cpu); p <= cpu || p <= runtime.NumCPU() {
			t.Errorf("oversub at -cpu %d: GOMAXPROCS %d", cpu, p)
		}
	}
}

// The traces parse, and comments and blank lines are skipped.
func TestTraceSizes(t *testing.T) {
	sizes, err := traceSizes()
	if err != nil || len(sizes) < 1000 {
		t.Fatalf("traceSizes: %d sizes, %v", len(sizes), err)
	}
	got, err := parseSizes("# comment\n1 2\n\n3\n")
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("parseSizes = %v, %v", got, err)
	}
	for _, bad := range []string{"1 x", "0", "-5"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted it", bad)
		}
	}
}

// TestParallelShiftsTheStack checks that parallel starts its goroutines'
// work at different stack depths: the offset, modulo 4 KiB, at which a
// timed loop's frames lie must differ from run to run (package
// stackshift), or every run of a cell measures the same chance offset.
func TestParallelShiftsTheStack(t *testing.T) {
	const runs = 16
	offsets := make(map[uintptr]bool)
	for range runs {
		parallel(1, 1, func(_, _ int) {
			offsets[stackshift.Address()%stackshift.Period] = true
		})
	}
	if len(offsets) < runs/2 {
		t.Errorf("%d runs of parallel put the work at %d stack offsets (mod %d): want one per run",
			runs, len(offsets), stackshift.Period)
	}
}

// TestParallelSpreadShiftsEachChunk checks that parallelSpread hands each
// goroutine its share in chunks, each at another stack depth, and that the
// chunks add up to the share.
func TestParallelSpreadShiftsEachChunk(t *testing.T) {
	const g, n, chunks = 2, 101, 8
	var mu sync.Mutex
	done := make([]int, g)
	offsets := make([]map[uintptr]bool, g)
	for id := range offsets {
		offsets[id] = make(map[uintptr]bool)
	}
	calls := 0
	parallelSpread(g, n, chunks, func(id, ops int) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		done[id] += ops
		offsets[id][stackshift.Address()%stackshift.Period] = true
	})
	if calls != g*chunks || done[0]+done[1] != n || done[0]-done[1] > 1 {
		t.Fatalf("%d calls doing %v operations, want %d calls doing %d between them, evenly", calls, done, g*chunks, n)
	}
	for id, o := range offsets {
		if len(o) < chunks/2 {
			t.Errorf("goroutine %d ran its %d chunks at %d stack offsets (mod %d)", id, chunks, len(o), stackshift.Period)
		}
	}
}
