package main

import "math/rand/v2"

// liveset: a large set of records stays live — a cache, a session table —
// while each operation replaces one at random (Put the old, Get a new) and
// allocates some garbage, so the GC keeps running and must mark the whole
// live set every cycle. The table reports the GC's CPU time per operation
// and its longest pause.
//
// The records live where the contender's Get puts them: in the Go heap for
// every pool, outside it for the slab. The table of pointers is the same,
// but behind the slab's pointers the GC finds nothing to mark, and the live
// heap it paces its cycles by is 16 MiB smaller. Item holds no pointers, so
// in the Go heap too the GC marks the records without scanning them.
var liveSetWorkload = Workload{
	Name:  "liveset",
	Bench: "LiveSet",
	About: "replace random records of a 256 Ki-record live set, 256 B garbage each",
	Uses:  shapePool,
	GC:    true,
	Prepare: func(t *Target) func(n int) {
		live := make([]*Item, liveRecords)
		for i := range live {
			live[i] = t.Pool.Get()
		}
		return func(n int) { runReplaceLive(t.Pool, live, t.Procs, n) }
	},
}

// liveRecords is the size of the live set: 16 MiB of records.
const liveRecords = 256 << 10

// replaceLive performs n replacements on procs goroutines, each in its own
// part of live.
//
//allocbench:loop
func replaceLive(p Pool, live []*Item, procs, n int) {
	parallel(procs, n, func(id, ops int) {
		part := live[id*len(live)/procs : (id+1)*len(live)/procs]
		sink := make([]*garbage, 1) // stored through a slice, garbage escapes to the heap
		for range ops {
			i := rand.IntN(len(part))
			p.Put(part[i])
			part[i] = p.Get()
			part[i].Data[0]++
			sink[0] = new(garbage)
		}
	})
}
