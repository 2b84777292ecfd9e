package main

import "runtime"

// oversub: far more goroutines than CPUs and more Ps than CPUs, so the OS
// preempts threads in the middle of a pool operation — a lock holder, or a
// thread inside a restartable sequence. Each record is written in full while
// held, to widen that window.
var oversubWorkload = Workload{
	Name:  "oversub",
	Bench: "Oversub",
	About: "GOMAXPROCS = 4×cpu (> CPUs), 8 goroutines per P, Get/fill/Put",
	Uses:  shapePool,
	Procs: func(cpu int) int { return max(oversubProcs*cpu, runtime.NumCPU()+1) },
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(oversubGoroutines*t.Procs, n, func(_, ops int) { runFills(t.Pool, ops) })
		}
	},
}

const (
	oversubProcs      = 4 // Ps per -cpu unit, and always more Ps than CPUs
	oversubGoroutines = 8 // goroutines per P
)

// fills performs ops round trips, writing the whole record each time.
//
//allocbench:loop
func fills(p Pool, ops int) {
	for i := range ops {
		x := p.Get()
		for j := range x.Data {
			x.Data[j] = byte(i + j)
		}
		p.Put(x)
	}
}
