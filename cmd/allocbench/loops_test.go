package main

import (
	"runtime"
	"testing"
)

// Every pool contender runs the pair loop itself (so no pair cell measures
// the Pool interface's dispatch), and its loop does what pairs does: ops
// times a Get of a record the pool made, a write to Data[0], and a Put that
// the next Get can reuse.
func TestPairLoops(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // one P: per-P caches see every Put
	const ops = 1000
	maxMade := int64(maxHeld)
	if raceEnabled {
		maxMade = ops / 2 // sync.Pool and the pools on it drop a quarter of Puts under -race
	}
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var prov provenance
			p := c.NewPool(prov.newItem)
			closeIfCloser(t, p)
			l, ok := p.(pairsLooper)
			if !ok {
				t.Fatalf("%T has no pairs method: its pair cells would time the Pool interface", p)
			}
			l.pairs(ops)
			made := prov.count.Load()
			switch {
			case c.OffHeap:
				if made != 0 {
					t.Errorf("an off-heap pool made %d records in the Go heap", made)
				}
				checkAllReturned(t, p, 0)
				return
			case c.Baseline && made != ops:
				t.Errorf("the baseline made %d records in %d round trips, want %d", made, ops, ops)
			case !c.Baseline && made > maxMade:
				t.Errorf("made %d records in %d serial round trips: Put does not reach Get", made, ops)
			}
			// Every round trip wrote once to a record the pool made.
			var writes int
			prov.made.Range(func(key, _ any) bool {
				writes += int(key.(*Item).Data[0])
				return true
			})
			if writes%256 != ops%256 {
				t.Errorf("the records' Data[0] add up to %d, want %d (mod 256)", writes, ops)
			}
		})
	}
}

// Every pool and buffer pool contender has its own copy of every marked
// loop, so no cell of those workloads times the interfaces' dispatch.
func TestPoolLoops(t *testing.T) {
	for _, c := range contenders {
		if c.NewPool == nil {
			continue
		}
		var prov provenance
		p := c.NewPool(prov.newItem)
		closeIfCloser(t, p)
		for name, ok := range map[string]bool{
			"pairs":            is[pairsLooper](p),
			"bursts":           is[burstsLooper](p),
			"overflows":        is[overflowsLooper](p),
			"pairsWithGarbage": is[pairsWithGarbageLooper](p),
			"fills":            is[fillsLooper](p),
			"holdExpensive":    is[holdExpensiveLooper](p),
			"burstsBetweenGCs": is[burstsBetweenGCsLooper](p),
			"replaceLive":      is[replaceLiveLooper](p),
			"produceConsume":   is[produceConsumeLooper](p),
		} {
			if !ok {
				t.Errorf("%s: %T has no copy of %s (run go generate)", c.Name, p, name)
			}
		}
	}
	for _, c := range contenders {
		if c.NewBufferPool == nil {
			continue
		}
		var prov provenance
		if p := c.NewBufferPool(prov.newBuffer); !is[replayLooper](p) {
			t.Errorf("%s: %T has no copy of replay (run go generate)", c.Name, p)
		}
	}
}

// is reports whether v implements T.
func is[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

// runPairs (generated, like every runNAME) uses a pool's own loop when it
// has one, and the Pool interface otherwise.
func TestRunPairs(t *testing.T) {
	var prov provenance
	own := &loopCounter{Pool: newMutexPool(prov.newItem)}
	runPairs(own, 7)
	if own.loops != 1 || own.ops != 7 {
		t.Errorf("runPairs on a pairLooper: %d loops of %d ops, want 1 of 7", own.loops, own.ops)
	}
	plain := struct{ Pool }{newMutexPool(prov.newItem)} // hides the pairs method
	runPairs(plain, 7)
	if x := plain.Get(); x.Data[0] != 7 {
		t.Errorf("runPairs through the interface wrote Data[0] = %d times, want 7", x.Data[0])
	}
}

// loopCounter is a pairLooper that counts its calls.
type loopCounter struct {
	Pool
	loops, ops int
}

func (l *loopCounter) pairs(ops int) { l.loops++; l.ops += ops }
