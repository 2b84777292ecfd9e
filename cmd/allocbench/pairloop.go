package main

// The pair workload's operation is nothing but a pool's fast path: 8–15 ns.
// Called through the Pool interface, each Get and Put is an indirect call
// into the contender's adapter, which then calls the pool: two calls where
// a program using the pool makes one. That costs each round trip 1.5–2.5 ns,
// and not the same for every pool (sync.Pool paid about 2.4 ns and
// alloc.Pool about 1.6 in one binary), so it moved the ratios, not only the
// times. So every pool contender also runs the pair loop itself, written
// against its own concrete type: Get and Put are static calls the compiler
// can inline, as in the loop a user writes, and the harness makes one
// interface call per goroutine and run instead of two per operation.
//
// The other workloads do more per operation (bursts, hand-offs, garbage,
// collections) and call through the Pool interface; their times include
// that dispatch.

// A pairLooper runs the pair workload's loop with static calls: ops times
// Get a record, increment its Data[0], Put it back. Every Pool contender's
// pool implements it (TestPairLoops checks that, and that the loop does
// what pairs does).
type pairLooper interface {
	pairs(ops int)
}

// runPairs performs ops Get/write/Put round trips on p, with p's own loop
// if it has one.
func runPairs(p Pool, ops int) {
	if l, ok := p.(pairLooper); ok {
		l.pairs(ops)
		return
	}
	pairs(p, ops)
}
