package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// turnsLog records which target each call of a workload's body ran on.
type turnsLog struct{ calls []Pool }

// workload returns a pool workload whose body records its target's pool
// in the log; a GC workload if gc.
func (l *turnsLog) workload(gc bool) *Workload {
	return &Workload{
		Name: "turns", Bench: "Turns", Uses: shapePool, GC: gc,
		Prepare: func(t *Target) func(n int) {
			return func(n int) {
				l.calls = append(l.calls, t.Pool)
				time.Sleep(time.Millisecond) // every warm-up ends after one call
			}
		},
	}
}

// The contenders of a comparison take turns: each round times one run of
// every contender, round r starting with contender r, so that a machine
// slowing down part-way through slows them alike, and each timed run but
// the first follows a brief untimed one; in a GC workload each timed run
// is of a fresh instance, warmed up just before it. Both keep the cells'
// order in the results and give each cell every run.
func TestContendersTakeTurns(t *testing.T) {
	const count = 3
	cfg := &config{count: count, benchtime: time.Microsecond}
	impls := []*Contender{lookupContender("syncpool"), lookupContender("alloc"), lookupContender("perp")}
	for _, gc := range []bool{false, true} {
		var log turnsLog
		w := log.workload(gc)
		var cells []cell
		for _, c := range impls {
			cells = append(cells, cell{w, c, 1})
		}
		results, err := runCells(cfg, cells, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			if r.Impl != impls[i].Name || len(r.Runs) != count {
				t.Fatalf("gc=%v: result %d is %s with %d runs, want %s with %d", gc, i, r.Impl, len(r.Runs), impls[i].Name, count)
			}
		}
		// Which contender (0, 1, 2: the cells' order) each call of its loop
		// served, by its pool's type: warm-ups, rewarms and timed runs
		// alike; and how many instances the calls ran on.
		order := func(calls []Pool) (got []int, instances int) {
			var types []string // each contender's pool type, in the order of first use
			var pools []Pool
			for _, p := range calls {
				typ := fmt.Sprintf("%T", p)
				if !slices.Contains(types, typ) {
					types = append(types, typ)
				}
				if !slices.Contains(pools, p) {
					pools = append(pools, p)
				}
				got = append(got, slices.Index(types, typ))
			}
			return got, len(pools)
		}
		// One warm-up call per contender (its one call outlasts the
		// warm-up's share of -benchtime), then the rounds: each timed run
		// after an untimed one, but for the first, which follows its
		// contender's warm-up.
		want := []int{
			0, 1, 2, // warm-ups
			0, 1, 1, 2, 2, // round 0: 0, then 1 and 2 rewarmed
			1, 1, 2, 2, 0, 0, // round 1
			2, 2, 0, 0, 1, 1, // round 2
		}
		wantInstances := len(impls)
		if gc { // each timed run right after the warm-up of its own instance
			want = []int{
				0, 0, 1, 1, 2, 2, // round 0
				1, 1, 2, 2, 0, 0, // round 1
				2, 2, 0, 0, 1, 1, // round 2
			}
			wantInstances = count * len(impls)
		}
		got, instances := order(log.calls)
		if !slices.Equal(got, want) {
			t.Errorf("gc=%v: the calls served contenders %v, want %v", gc, got, want)
		}
		if instances != wantInstances {
			t.Errorf("gc=%v: the calls ran on %d instances, want %d", gc, instances, wantInstances)
		}
	}
}

// comparisons splits plan's cells into the runs that share a workload and a
// -cpu value.
func TestComparisons(t *testing.T) {
	a, b := lookupContender("syncpool"), lookupContender("alloc")
	cells := []cell{{&pairWorkload, a, 1}, {&pairWorkload, b, 1}, {&pairWorkload, a, 2}, {&burstWorkload, a, 2}, {&burstWorkload, b, 2}}
	var sizes []int
	for _, g := range comparisons(cells) {
		sizes = append(sizes, len(g))
		for _, c := range g {
			if c.workload != g[0].workload || c.cpu != g[0].cpu {
				t.Errorf("comparison %v holds %v", g[0], c)
			}
		}
	}
	if !slices.Equal(sizes, []int{2, 1, 2}) {
		t.Errorf("comparisons of sizes %v, want [2 1 2]", sizes)
	}
}

// TestEstimate checks the announced duration of a run: -count runs per
// cell, two warm-up shares per cell and a rewarm before each timed run
// where one instance serves every run, two warm-up shares before each
// timed run in GC workloads (a fresh instance each).
func TestEstimate(t *testing.T) {
	a := lookupContender("syncpool")
	cfg := &config{benchtime: 80 * time.Millisecond, count: 4}
	cells := []cell{{&pairWorkload, a, 1}, {&gcPressureWorkload, a, 1}}
	pair := 4*80*time.Millisecond + 2*80*time.Millisecond/warmUpShare + 4*80*time.Millisecond/rewarmShare
	gcPressure := 4*80*time.Millisecond + 4*2*80*time.Millisecond/warmUpShare
	want := pair + gcPressure
	if got := estimate(cells, cfg); got != want {
		t.Errorf("estimate of a pair and a gcpressure cell, 4 runs of 80ms: %v, want %v", got, want)
	}
}

// TestAnnounceCountsTheFallbackChild checks that the announced duration
// covers the fallback child's cells too: the child runs the NAME/fallback
// contenders and sync.Pool, their reference, after this process's cells.
func TestAnnounceCountsTheFallbackChild(t *testing.T) {
	cfg := &config{
		benchtime: 80 * time.Millisecond, count: 4, cpus: []int{1, 2},
		workloads: []*Workload{&pairWorkload}, impls: []string{"syncpool", "alloc" + fallbackSuffix},
	}
	cells, fallbacks := plan(cfg)
	child := childCells(cfg, fallbacks)
	if len(cells) != 2 || len(child) != 4 {
		t.Fatalf("%d cells here and %d in the child, want 2 (syncpool at -cpu 1, 2) and 4 (alloc and syncpool)", len(cells), len(child))
	}
	var out strings.Builder
	announce(&out, cfg, cells, child)
	want := fmt.Sprintf("allocbench: 2 cells + 4 in a fallback child × (4 runs of 80ms + warm-up), about %v\n",
		(estimate(cells, cfg) + estimate(child, cfg)).Round(time.Second))
	if out.String() != want {
		t.Errorf("announced %q, want %q", out.String(), want)
	}
	if estimate(child, cfg) != 2*estimate(cells, cfg) {
		t.Errorf("the child's %v is not twice this process's %v (twice the cells)", estimate(child, cfg), estimate(cells, cfg))
	}
}
