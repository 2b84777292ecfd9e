package main

// pair: Get a record, write it, Put it back — the fast path and nothing
// else. With -cpu 1 this is the serial cost; with more, the same loop on
// every P at once.
var pairWorkload = Workload{
	Name:    "pair",
	Bench:   "Pair",
	About:   "Get, write, Put on every P (serial at -cpu 1)",
	Uses:    shapePool,
	Default: true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) { parallel(t.Procs, n, func(_, ops int) { runPairs(t.Pool, ops) }) }
	},
}

// pairs performs ops Get/write/Put round trips.
//
//allocbench:loop
func pairs(p Pool, ops int) {
	for range ops {
		x := p.Get()
		x.Data[0]++
		p.Put(x)
	}
}
