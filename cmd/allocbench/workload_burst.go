package main

// burst: Get a burst of records, write each, then Put them all back — a
// request that needs several at once, so per-CPU caches must hold more than
// one and the pool sees runs of Gets and runs of Puts.
var burstWorkload = Workload{
	Name:    "burst",
	Bench:   "Burst",
	About:   "64 Gets then 64 Puts on every P",
	Uses:    shapePool,
	Default: true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(t.Procs, n, func(_, ops int) { runBursts(t.Pool, ops, burstSize) })
		}
	},
}

// burstSize is the number of records a burst holds at once.
const burstSize = 64

// bursts performs ops round trips in bursts of at most size records.
//
//allocbench:loop
func bursts(p Pool, ops, size int) {
	held := make([]*Item, size)
	for ops > 0 {
		k := min(size, ops)
		for i := range k {
			held[i] = p.Get()
			held[i].Data[0]++
		}
		for i, x := range held[:k] {
			p.Put(x)
			held[i] = nil
		}
		ops -= k
	}
}
