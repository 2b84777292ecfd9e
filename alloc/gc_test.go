package alloc

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// The GC policy's tests. Every name holds "GC": CI runs them again with
// GODEBUG=gccheckmark=1,clobberfree=1 (go test -run GC).

// TestPoolIdleReleasedGC: a pool nobody uses lets go of its values at the
// second collection after its last use, and the collector frees them.
func TestPoolIdleReleasedGC(t *testing.T) {
	const n = 100
	var p Pool
	tr := newTracked()
	ids := map[int]bool{}
	collect(t) // start a fresh cycle
	for i := 0; i < n; i++ {
		p.Put(tr.value(i))
		ids[i] = true
	}
	kept := p.Stats().Cached
	if kept == 0 {
		t.Fatal("nothing cached after Puts")
	}
	collect(t) // the pool was used during this cycle: it keeps its values
	if c := p.Stats().Cached; c != kept {
		t.Fatalf("a pool used during the last cycle holds %d values, had %d", c, kept)
	}
	collect(t) // a whole cycle without use: it lets go
	if s := p.Stats(); s.Cached != 0 || s.Released != kept {
		t.Fatalf("idle pool after two collections: stats %+v, want nothing cached and %d released", s, kept)
	}
	if missing := tr.await(t, ids, nil); len(missing) > 0 {
		t.Fatalf("%d of %d values of an idle pool were never freed", len(missing), n)
	}
}

// TestPoolKeepsHotValuesGC is where Pool differs from sync.Pool: a pool in
// steady use keeps its values across collections.
func TestPoolKeepsHotValuesGC(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	const gets, gcEvery = 20000, 200
	p := Pool{New: func() any { return new(item) }}
	var syncNews int
	sp := sync.Pool{New: func() any { syncNews++; return new(item) }}
	for i := 1; i <= gets; i++ {
		p.Put(p.Get())
		sp.Put(sp.Get())
		if i%gcEvery == 0 {
			runtime.GC()
		}
	}
	news := p.Stats().News
	rate := 1 - float64(news)/gets
	t.Logf("a GC every %d Get+Put: hit rate %.4f (%d News); sync.Pool's %.4f (%d News)",
		gcEvery, rate, news, 1-float64(syncNews)/gets, syncNews)
	if rate < 0.99 {
		t.Fatalf("hit rate %.4f with a GC every %d operations, want ≥ 0.99", rate, gcEvery)
	}
}

// TestPoolUnreachableCollectedGC: a pool nobody references is collected,
// values and all, like any object (the GC hook holds it weakly).
func TestPoolUnreachableCollectedGC(t *testing.T) {
	const n = 50
	tr := newTracked()
	ids := map[int]bool{}
	func() {
		p := new(Pool)
		for i := 0; i < n; i++ {
			p.Put(tr.value(i))
			ids[i] = true
		}
	}()
	if missing := tr.await(t, ids, nil); len(missing) > 0 {
		t.Fatalf("%d of %d values of an unreachable pool were never freed", len(missing), n)
	}
}

// TestPoolOfIdleReleasedGC is TestPoolIdleReleasedGC for each way PoolOf
// keeps a value.
func TestPoolOfIdleReleasedGC(t *testing.T) {
	tr := newTracked()
	t.Run("pointer", func(t *testing.T) {
		var p PoolOf[*[64]byte]
		testIdleReleased(t, tr, 0, func(v *[64]byte) { p.Put(v) }, p.Stats)
	})
	t.Run("slice", func(t *testing.T) {
		var p PoolOf[[]byte]
		testIdleReleased(t, tr, 1000, func(v *[64]byte) { p.Put(v[:]) }, p.Stats)
	})
	t.Run("boxed", func(t *testing.T) {
		type boxed struct {
			v *[64]byte
			n int
		}
		var p PoolOf[boxed]
		testIdleReleased(t, tr, 2000, func(v *[64]byte) { p.Put(boxed{v, 1}) }, p.Stats)
	})
}

func testIdleReleased(t *testing.T, tr *tracked, base int, put func(*[64]byte), stats func() Stats) {
	const n = 40
	ids := map[int]bool{}
	collect(t)
	for i := base; i < base+n; i++ {
		put(tr.value(i))
		ids[i] = true
	}
	collect(t)
	collect(t)
	if s := stats(); s.Cached != 0 {
		t.Fatalf("idle pool after two collections: stats %+v, want nothing cached", s)
	}
	if missing := tr.await(t, ids, nil); len(missing) > 0 {
		t.Fatalf("%d of %d values of an idle pool were never freed", len(missing), n)
	}
}

// TestWatchdogRearmsStrandedSentinelGC strands the hook's sentinel (keeps
// it reachable, as a cleanup block left on a removed P would keep its
// cleanup from running) and checks that the watchdog arms a new one, so
// the hook runs again, and that the stranded generation, if it ever fired,
// would do nothing.
func TestWatchdogRearmsStrandedSentinelGC(t *testing.T) {
	var p Pool
	p.Put(new(item)) // a cache exists, so the hook and the watchdog are on
	collect(t)

	var kept []*sentinel
	registry.mu.Lock()
	newSentinel = func() *sentinel { s := new(sentinel); kept = append(kept, s); return s }
	registry.mu.Unlock()
	defer func() {
		registry.mu.Lock()
		newSentinel = func() *sentinel { return new(sentinel) }
		registry.mu.Unlock()
	}()

	// The next collection fires the current sentinel, whose hook arms a
	// stranded one.
	collect(t)
	registry.mu.Lock()
	strandedGen := armedGen.Load()
	newSentinel = func() *sentinel { return new(sentinel) }
	registry.mu.Unlock()
	if len(kept) == 0 {
		t.Fatal("the hook armed no sentinel")
	}

	before, rearmed := gcCycles.Load(), stranded.Load()
	for i := 0; gcCycles.Load() == before; i++ {
		if i == 300 {
			t.Fatalf("the hook did not run again after its sentinel was stranded (watchdog re-armed %d times)", stranded.Load()-rearmed)
		}
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if stranded.Load() == rearmed {
		t.Fatal("the hook ran again without the watchdog re-arming it")
	}
	if f := firedGen.Load(); f <= strandedGen {
		t.Fatalf("fired generation %d, want above the stranded %d", f, strandedGen)
	}
	// The stranded cleanup, running late, must not run the hook again.
	cycles := gcCycles.Load()
	fire(strandedGen)
	if gcCycles.Load() != cycles {
		t.Fatal("a stranded generation's late cleanup ran the hook")
	}
	runtime.KeepAlive(kept)
}
