package main

// replay: byte buffers of the sizes a real service asks for, from the traces
// in testdata (HTTP bodies, log lines, RPC messages; see internal/tracegen),
// or of one size with -size. Each goroutine keeps its last few buffers in
// use and returns the oldest as it gets a new one. Buffers are written at
// both ends, not filled: the workload measures the pool, not memory
// bandwidth.
var replayWorkload = Workload{
	Name:    "replay",
	Bench:   "Replay",
	About:   "byte buffers of traced sizes (or -size), 8 in use per goroutine",
	Uses:    shapeBuffers,
	Default: true,
	Prepare: func(t *Target) func(n int) {
		return func(n int) {
			parallel(t.Procs, n, func(id, ops int) {
				runReplay(t.Buffers, t.Sizes, id*len(t.Sizes)/t.Procs, ops)
			})
		}
	},
}

// replayWindow buffers are in use at once on each goroutine.
const replayWindow = 8

// replay gets ops buffers with sizes from sizes, starting at index start.
//
//allocbench:loop
func replay(p BufferPool, sizes []int, start, ops int) {
	var window [replayWindow][]byte
	for i := range ops {
		slot := &window[i%replayWindow]
		if *slot != nil {
			p.PutBytes(*slot)
		}
		b := p.GetBytes(sizes[(start+i)%len(sizes)])
		b[0], b[len(b)-1] = 1, 1
		*slot = b
	}
	for _, b := range window {
		if b != nil {
			p.PutBytes(b)
		}
	}
}
