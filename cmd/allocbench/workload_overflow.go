package main

// overflow: the standard library's BenchmarkPoolOverflow — each goroutine
// Puts 100 values, then Gets 100 — more than a per-P slot or a small
// per-CPU cache holds, so every round goes through the overflow path
// (sync.Pool's shared chain, a depot, a shared list) and back. Here the
// values are records: a goroutine's first 100 Gets come before any Put;
// an operation is still one Get and one Put.
var overflowWorkload = Workload{
	Name:  "overflow",
	Bench: "Overflow",
	About: "100 Puts then 100 Gets on every P (sync's BenchmarkPoolOverflow)",
	Uses:  shapePool,
	Prepare: func(t *Target) func(n int) {
		return func(n int) { parallel(t.Procs, n, func(_, ops int) { runOverflows(t.Pool, ops) }) }
	},
}

// overflowValues is the number of values Put, then got, in one round.
const overflowValues = 100

// overflows performs ops round trips: it gets up to overflowValues records
// (the first round's Gets), then in rounds Puts them and Gets as many again,
// and Puts what it holds last, so it gets and puts ops records in all.
//
//allocbench:loop
func overflows(p Pool, ops int) {
	held := make([]*Item, min(overflowValues, ops))
	for i := range held {
		held[i] = p.Get()
		held[i].Data[0]++
	}
	for ops -= len(held); ops > 0; {
		k := min(len(held), ops)
		for i, x := range held[:k] {
			p.Put(x)
			held[i] = nil
		}
		for i := range k {
			held[i] = p.Get()
			held[i].Data[0]++
		}
		ops -= k
	}
	for _, x := range held {
		p.Put(x)
	}
}
