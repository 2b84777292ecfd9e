package main

import "github.com/gorseq/percpu/rseq"

// The project's per-CPU counter, rseq.Counter: an Add is one restartable
// section on the calling CPU's cell, no atomic instruction; Load sums the
// CPUs. Without rseq it adds atomically to per-P shards, so it also runs as
// rseqcounter/fallback, in a child process with PERCPU_RSEQ=off.
func init() {
	register(Contender{
		Name:       "rseqcounter",
		About:      "rseq.Counter: per-CPU cells, one restartable section per Add (counter workload)",
		Fallback:   true,
		NewCounter: func() Counter { return &rseqCounter{rseq.NewCounter()} },
	})
}

type rseqCounter struct{ c *rseq.Counter }

func (c rseqCounter) adds(ops int) {
	for range ops {
		c.c.Add(1)
	}
}

func (c rseqCounter) Load() int64 { return c.c.Load() }
