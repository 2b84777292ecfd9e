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

// TestCounterZeroValueConcurrent checks that a zero Counter is ready to
// use: many goroutines released at once race to make its first Add, in
// every variant, and no Add is lost (a first Add that counted into memory
// the counter then dropped would be).
func TestCounterZeroValueConcurrent(t *testing.T) {
	forEachVariant(t, func(t *testing.T, l load) {
		var c Counter
		var want atomic.Int64
		l.run(t, func(w, i int) {
			d := int64(w%3 + 1)
			c.Add(d)
			want.Add(d)
		})
		if got := c.Load(); got != want.Load() {
			t.Fatalf("zero counter = %d, want %d", got, want.Load())
		}
	})
	// The first Adds themselves, many rounds: each round starts a fresh
	// zero Counter and releases every goroutine at once on its first Add.
	const rounds, workers, adds = 200, 8, 3
	for r := 0; r < rounds; r++ {
		var c Counter
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < adds; i++ {
					c.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if got := c.Load(); got != workers*adds {
			t.Fatalf("round %d: zero counter = %d after %d Adds from %d goroutines", r, got, workers*adds, workers)
		}
	}
}

// TestCounterZeroLoad checks that a zero Counter reads 0 and allocates
// nothing until its first Add.
func TestCounterZeroLoad(t *testing.T) {
	var c Counter
	if got := c.Load(); got != 0 {
		t.Fatalf("zero counter = %d", got)
	}
	if c.s.Load() != nil {
		t.Fatal("Load allocated the counter's memory")
	}
	c.Add(7)
	if got := c.Load(); got != 7 {
		t.Fatalf("zero counter after Add(7) = %d", got)
	}
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

// TestCounterShardsConservation: the fallback's adds (addShard, called here
// directly, so in every mode) sum exactly while GOMAXPROCS is four times the
// shard count: Ps below it add to their own shard without an atomic
// instruction, the others share the spare shard, and no add is lost.
func TestCounterShardsConservation(t *testing.T) {
	s := newCounterState()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4 * len(s.shards)))
	const perWorker = 20000
	workers := 4 * runtime.GOMAXPROCS(0)
	var total atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Until a P beyond the shard count has run one of the workers
			// (the scheduler may keep them on few Ps), go on adding.
			i := 0
			for ; i < perWorker || atomic.LoadInt64(&s.spare.n) == 0 && i < 100*perWorker; i++ {
				s.addShard(1)
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
			total.Add(int64(i))
		}()
	}
	wg.Wait()
	c := &Counter{}
	c.s.Store(s)
	if got, want := c.Load(), total.Load(); got != want {
		t.Fatalf("Load = %d after %d adds of 1", got, want)
	}
	if atomic.LoadInt64(&s.spare.n) == 0 {
		t.Fatal("no add reached the spare shard: the test did not reach the path it checks")
	}
}
