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
		return func(n int) {
			parallelSpread(t.Procs, n, pairDepths, func(_, ops int) { runPairs(t.Pool, ops) })
		}
	},
}

// pairDepths is how many stack depths each goroutine of a pair run spreads
// its round trips over, as BenchmarkPairDirect does.
const pairDepths = 8

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
