package main

import "sync/atomic"

// One atomic.Int64 that every goroutine adds to: the counter most programs
// have, one cache line that every CPU's add pulls over.
func init() {
	register(Contender{
		Name:       "atomic",
		About:      "one shared atomic.Int64 (counter workload)",
		NewCounter: func() Counter { return new(atomicCounter) },
	})
}

type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) adds(ops int) {
	for range ops {
		c.n.Add(1)
	}
}

func (c *atomicCounter) Load() int64 { return c.n.Load() }
