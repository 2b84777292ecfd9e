package main

import (
	"runtime"
	"time"
)

// expensive: the standard library's BenchmarkPoolExpensiveNew — values that
// take a millisecond to make (New sleeps), 100 held per goroutine at once,
// and 32 KiB of garbage per Get, with an 8 MiB ballast so the GC runs at a
// steady pace. A pool that empties itself at every GC makes its values
// again after each one; New/op and GCs/op are the figures sync's benchmark
// reports (here per value, not per 100). ns/op includes the sleeps. The
// pool is filled before the warm-up, so the runs time the refills that
// collections cause, not the first fill.
// Off-heap contenders, which make their records themselves, do not run it.
var expensiveWorkload = Workload{
	Name:     "expensive",
	Bench:    "ExpensiveNew",
	About:    "New takes 1ms; 100 held per goroutine, 32 KiB garbage per Get (sync's BenchmarkPoolExpensiveNew)",
	Uses:     shapePool,
	GC:       true,
	NewDelay: time.Millisecond,
	Columns:  []column{newsPerOpColumn, gcsPerOpColumn},
	Prepare: func(t *Target) func(n int) {
		ballast := make([]byte, expensiveBallast)
		// Fill the pool first, on every P, as a second of sync's benchmark
		// amortizes its first round: otherwise the warm-up would time
		// the first fill (100 News per goroutine) and size the runs by it.
		parallel(t.Procs, t.Procs*expensiveHeld, func(_, ops int) { runHoldExpensive(t.Pool, ops) })
		return func(n int) {
			parallel(t.Procs, n, func(_, ops int) { runHoldExpensive(t.Pool, ops) })
			runtime.KeepAlive(ballast)
		}
	},
}

const (
	expensiveHeld    = 100      // values a goroutine holds at once
	expensiveGarbage = 32 << 10 // bytes of garbage per Get
	expensiveBallast = 8 << 20  // live heap the GC paces its cycles by
)

// holdExpensive performs ops round trips: it gets up to expensiveHeld
// values, allocating garbage after each Get, then puts them all back.
//
//allocbench:loop
func holdExpensive(p Pool, ops int) {
	held := make([]*Item, expensiveHeld)
	sink := make([][]byte, 1) // stored through a slice, the garbage escapes
	for ops > 0 {
		k := min(expensiveHeld, ops)
		for i := range k {
			held[i] = p.Get()
			held[i].Data[0]++
			sink[0] = make([]byte, expensiveGarbage)
		}
		for i, x := range held[:k] {
			p.Put(x)
			held[i] = nil
		}
		ops -= k
	}
}
