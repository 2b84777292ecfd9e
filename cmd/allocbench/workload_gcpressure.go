package main

import "runtime"

// gcpressure: a service whose load comes in peaks, with the garbage
// collector running in between. Each goroutine repeats: a burst that holds
// 256 records at once (every round trip also allocating 256 B of garbage),
// then two forced GCs. So a record waits in the pool through two GC cycles
// between uses — what sync.Pool drops (its victim cache survives one) and a
// pool not tied to the GC keeps. The hit column shows the difference; ns/op
// includes the GCs, which cost every contender the same.
var gcPressureWorkload = Workload{
	Name:    "gcpressure",
	Bench:   "GCPressure",
	About:   "bursts of 256 records + 256 B garbage each, two forced GCs between bursts",
	Uses:    shapePool,
	Default: true,
	GC:      true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(t.Procs, n, func(_, ops int) { runBurstsBetweenGCs(t.Pool, ops) })
		}
	},
}

const (
	garbagePerOp = 256 // bytes of garbage each round trip allocates
	peakSize     = 256 // records a burst holds at once
	gcsBetween   = 2   // forced GCs between two bursts
)

// garbage is what a round trip allocates and drops.
type garbage [garbagePerOp]byte

// burstsBetweenGCs performs ops round trips in bursts, forcing GCs after
// each.
//
//allocbench:loop
func burstsBetweenGCs(p Pool, ops int) {
	held := make([]*Item, peakSize)
	sink := make([]*garbage, 1) // stored through a slice, garbage escapes to the heap
	for ops > 0 {
		k := min(peakSize, ops)
		for i := range k {
			held[i] = p.Get()
			held[i].Data[0]++
			sink[0] = new(garbage)
		}
		for i, x := range held[:k] {
			p.Put(x)
			held[i] = nil
		}
		ops -= k
		for range gcsBetween {
			runtime.GC()
		}
	}
}
