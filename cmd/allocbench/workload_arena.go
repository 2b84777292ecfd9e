package main

// arena: a request allocates many small values, uses them, and frees them
// all at once when it ends — the pattern an arena serves with one bulk free,
// and that plain allocation leaves to the GC. An operation is one value.
// The contenders: new (the GC frees the values), allocarena (alloc.Arena:
// bump allocation in off-heap chunks, one Free) and slab (a slab.Cache New
// per value, a Free per value at the end).
var arenaWorkload = Workload{
	Name:  "arena",
	Bench: "Arena",
	About: "requests of 128 values freed together, one arena per goroutine",
	Uses:  shapeArena,
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(t.Procs, n, func(_, ops int) { requests(t.NewArena(), ops) })
		}
	},
}

// requestValues is the number of values one request allocates.
const requestValues = 128

// requests serves requests from a until ops values were allocated.
func requests(a Arena, ops int) {
	vals := make([]*Item, 0, requestValues) // the request's view of its values
	for ops > 0 {
		for range min(requestValues, ops) {
			x := a.New()
			x.Data[0] = byte(len(vals))
			vals = append(vals, x)
		}
		ops -= len(vals)
		a.Free()
		clear(vals)
		vals = vals[:0]
	}
	if c, ok := a.(closer); ok {
		c.Close()
	}
}
