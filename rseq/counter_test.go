package rseq

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCounterConservation(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		c := NewCounter()
		var want atomic.Int64
		l.run(t, func(w, i int) {
			d := int64(w%5 - 1) // negative, zero and positive deltas
			c.Add(d)
			want.Add(d)
		})
		if got := c.Load(); got != want.Load() {
			t.Fatalf("counter = %d, want %d", got, want.Load())
		}
	})
}

func TestCounterZeroAndNegative(t *testing.T) {
	c := NewCounter()
	if got := c.Load(); got != 0 {
		t.Fatalf("new counter = %d", got)
	}
	c.Add(-5)
	c.Add(2)
	if got := c.Load(); got != -3 {
		t.Fatalf("counter = %d, want -3", got)
	}
}

// TestCounterLoadMonotonic checks that a reader never sees a sum that goes
// backwards while only positive deltas are added.
func TestCounterLoadMonotonic(t *testing.T) {
	c := NewCounter()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					c.Add(1)
					runtime.Gosched()
				}
			}
		}()
	}
	last := int64(0)
	for i := 0; i < 20000; i++ {
		v := c.Load()
		if v < last {
			close(stop)
			wg.Wait()
			t.Fatalf("Load went backwards: %d after %d", v, last)
		}
		last = v
	}
	close(stop)
	wg.Wait()
}
