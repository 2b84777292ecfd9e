package main

//go:generate go run ./internal/loopgen

// The inner loops of the workloads run in each contender's own code.
// Called through the Pool interface, each Get and Put is an indirect call
// into the contender's adapter, which then calls the pool: two calls where a
// program using the pool makes one. That cost each round trip 4–6 ns on top
// of 10–12 in the pair loop (docs/benchmarks.md, "The pair cells and
// testing.B"), and not the same for every pool, so it moved the ratios,
// not only the times.
//
// So a loop marked //allocbench:loop (first parameter p Pool or p
// BufferPool) is copied by internal/loopgen (go generate) into
// loops_gen.go as a method of every contender type that implements that
// interface, where p has the concrete type: its Gets and Puts are static
// calls the compiler inlines, as in the loop a user writes. The workload
// calls runNAME, which makes one interface call per goroutine and run to
// reach the copy, and falls back to the loop itself for a pool that has
// none (a test's wrapper, say). The copies are the loop's text, so they do
// the same; loopgen's test fails when loops_gen.go is stale, and
// TestPoolLoops checks that every contender has every copy.
//
// Every workload's loop is copied but the logger's, whose pools are fields
// of its encoder and whose calls take a microsecond; the counter
// contenders write their add loop by hand (Counter.adds).
