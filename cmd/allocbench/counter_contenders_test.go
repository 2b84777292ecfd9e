package main

import (
	"runtime"
	"sync"
	"testing"
)

// Every counter contender counts every add: concurrent adds from more
// goroutines than Ps, on more Ps than CPUs (threads preempted mid-add),
// add up exactly.
func TestCounterContenders(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	const goroutines, adds = 8, 20000
	found := 0
	for _, c := range contenders {
		if c.NewCounter == nil {
			continue
		}
		found++
		t.Run(c.Name, func(t *testing.T) {
			ctr := c.NewCounter()
			closeIfCloser(t, ctr)
			if n := ctr.Load(); n != 0 {
				t.Fatalf("a new counter holds %d", n)
			}
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() { ctr.adds(adds) })
			}
			wg.Wait()
			if n := ctr.Load(); n != goroutines*adds {
				t.Errorf("Load = %d after %d adds", n, goroutines*adds)
			}
		})
	}
	if found < 3 {
		t.Errorf("%d counter contenders, want atomic, rseqcounter and xsync", found)
	}
}
