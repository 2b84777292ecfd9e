package main

import "github.com/puzpuzpuz/xsync/v4"

// xsync.Counter (github.com/puzpuzpuz/xsync), the striped counter users
// pick when one atomic.Int64 is contended: atomic adds spread over padded
// stripes chosen per goroutine, which grow when adds collide; Value sums
// the stripes.
func init() {
	register(Contender{
		Name:       "xsync",
		About:      "xsync.Counter: striped atomic counter (counter workload)",
		NewCounter: func() Counter { return xsyncCounter{xsync.NewCounter()} },
	})
}

type xsyncCounter struct{ c *xsync.Counter }

func (c xsyncCounter) adds(ops int) {
	for range ops {
		c.c.Add(1)
	}
}

func (c xsyncCounter) Load() int64 { return c.c.Value() }
