package main

// garbage: Get a record, allocate garbageBytes of garbage while holding it,
// Put it back — a request handler's shape, and the one where the GC marks
// much of the time: the allocation rate keeps a cycle running, so the
// pool's fast path is measured while the write barrier is on (the per-CPU
// pools' hard case: see DESIGN.md, "the simple gate"). The GC columns show
// what the collector cost.
var garbageWorkload = Workload{
	Name:  "garbage",
	Bench: "Garbage",
	About: "Get, 512 B of garbage, Put on every P (the GC marks much of the time)",
	Uses:  shapePool,
	GC:    true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) { parallel(t.Procs, n, func(_, ops int) { runPairsWithGarbage(t.Pool, ops) }) }
	},
}

// garbageBytes is what each round trip allocates and drops.
const garbageBytes = 512

// pairsWithGarbage performs ops round trips, each allocating garbageBytes
// while it holds the record.
//
//allocbench:loop
func pairsWithGarbage(p Pool, ops int) {
	sink := make([]*[garbageBytes]byte, 1) // stored through a slice, the garbage escapes
	for range ops {
		x := p.Get()
		g := new([garbageBytes]byte)
		g[0] = x.Data[0]
		sink[0] = g
		x.Data[0]++
		p.Put(x)
	}
}
