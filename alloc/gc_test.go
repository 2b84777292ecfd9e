package alloc

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/gorseq/percpu/rseq"
)

// The GC policy's tests. Every name holds "GC": CI runs them again with
// GODEBUG=gccheckmark=1,clobberfree=1 (go test -run GC).

// TestPoolIdleReleasedGC: a pool nobody uses lets go of its values at the
// fourth collection after its last use when the hook runs after each (see
// gc.go: two whole idle cycles, and the hook cannot place the use), and the
// collector frees them.
func TestPoolIdleReleasedGC(t *testing.T) {
	onlyExplicitCollections(t)
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
	collect(t) // it may have been used after that cycle, before its hook ran
	if c := p.Stats().Cached; c != kept {
		t.Fatalf("a pool the hook saw used a cycle ago holds %d values, had %d", c, kept)
	}
	collect(t) // one whole cycle without use: not yet
	if c := p.Stats().Cached; c != kept {
		t.Fatalf("a pool idle for one cycle holds %d values, had %d", c, kept)
	}
	collect(t) // two whole cycles without use: it lets go
	if s := p.Stats(); s.Cached != 0 || s.Released != kept {
		t.Fatalf("idle pool after four collections: stats %+v, want nothing cached and %d released", s, kept)
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

// TestPoolOfSteadyUseKeepsValuesGC: a pool used between every two
// collections by a thread that stays on one CPU keeps every value across
// them, in every mode: New runs only for the first round. Two causes lost
// values here with rseq refused: a locked thread comes back from
// runtime.GC on any idle P, and the fallback's shards are per P (pop now
// takes from the other shards); and the GC hook, running late, saw a
// round's calls before the cycle that followed them and none after (gc.go
// now counts a use as possibly the next cycle's).
func TestPoolOfSteadyUseKeepsValuesGC(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	const rounds, values = 200, 64
	var p PoolOf[*[64]byte]
	p.New = func() *[64]byte { return new([64]byte) }
	var held [values]*[64]byte
	for r := 0; r < rounds; r++ {
		for i := range held {
			held[i] = p.Get()
		}
		for i := range held {
			p.Put(held[i])
		}
		runtime.GC()
	}
	if s := p.Stats(); s.News != values || s.Released != 0 {
		t.Fatalf("%d rounds of %d Gets, %d Puts and a GC on one CPU: stats %+v, want %d News and nothing released",
			rounds, values, values, s, values)
	}
}

// TestPoolOfKeepsValueThroughOneGC: a value Put right before a collection
// is still there after it, as sync.Pool's victim cache keeps it, for a
// thread that stays on one CPU, in every mode.
func TestPoolOfKeepsValueThroughOneGC(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	var p PoolOf[*[64]byte]
	for round := 0; round < 50; round++ {
		v := new([64]byte)
		p.Put(v)
		runtime.GC()
		if got := p.Get(); got != v {
			t.Fatalf("round %d: the value Put before runtime.GC is gone after it (Get = %p, want %p); stats %+v",
				round, got, v, p.Stats())
		}
	}
}

// TestPoolLateHookKeepsValuesGC makes the hook of a cycle run after a call
// made once that cycle had ended, as a late cleanup goroutine does, and
// checks that the next cycle's hook, seeing no call since, keeps the values.
func TestPoolLateHookKeepsValuesGC(t *testing.T) {
	onlyExplicitCollections(t)
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	var p PoolOf[*[64]byte]
	collect(t)
	v := new([64]byte)
	p.Put(v)              // a call after the last cycle ended...
	fire(armedGen.Load()) // ...and only then that cycle's hook
	collect(t)            // the next cycle: no call since the hook
	if got := p.Get(); got != v {
		t.Fatalf("a pool used between two collections lost its value to the second one's hook (Get = %p, want %p); stats %+v",
			got, v, p.Stats())
	}
}

// TestPoolUsedBetweenEveryTwoCollectionsKeepsValuesGC is allocbench's
// gcpressure in small: a pool used, then collected twice, round after round.
// The hook of the first collection runs right after the use, before that
// collection ends, so it places the use exactly and the second collection
// is a whole idle cycle; the pool must keep its values through it (with
// releaseAfterIdle at 1 it was emptied here).
func TestPoolUsedBetweenEveryTwoCollectionsKeepsValuesGC(t *testing.T) {
	onlyExplicitCollections(t)
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	var p PoolOf[*[64]byte]
	v := new([64]byte)
	collect(t)
	for round := 0; round < 3; round++ {
		p.Put(v)              // the use...
		fire(armedGen.Load()) // ...seen by a hook before the cycle ends
		collect(t)
		collect(t) // a whole cycle with no call
		got := p.Get()
		if got != v {
			t.Fatalf("round %d: a pool used between every two collections lost its value (Get = %p, want %p); stats %+v",
				round, got, v, p.Stats())
		}
	}
	if s := p.Stats(); s.Released != 0 {
		t.Fatalf("released %d values of a pool used between every two collections; stats %+v", s.Released, s)
	}
}

// TestPoolHookSeesReopenedFastPathGC recreates the race between the hook
// and the call that reopens the fast path: the call sets touched, the hook
// takes it and closes the path, the call reopens it. Every later call
// takes the open path and leaves no trace but the open path itself, which
// the next hook must count as a use.
func TestPoolHookSeesReopenedFastPathGC(t *testing.T) {
	onlyExplicitCollections(t)
	if !rseq.Enabled() {
		t.Skip("the fallback never opens the fast path: every call sets touched")
	}
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose")
	}
	defer pinToOneCPU(t)()
	var p PoolOf[*[64]byte]
	collect(t)
	v := new([64]byte)
	p.Put(v)
	fire(armedGen.Load()) // a hook closes the path and takes touched
	p.Put(p.Get())        // the slow path reopens it, the Put takes it
	c := p.c.Load()
	if c.fast.Load() == nil {
		t.Skip("the fast path did not reopen (hit counting is on?)")
	}
	c.touched.Store(false) // as if the hook had taken touched after this call set it
	collect(t)             // sees the open path: a use
	collect(t)             // sees no call since: the cycle before may have had some
	if got := p.Get(); got != v {
		t.Fatalf("a pool used through its reopened fast path was emptied (Get = %p, want %p); stats %+v", got, v, p.Stats())
	}
}

// TestCollectWaitsForItsCyclesHookGC: collect returns only once a hook has
// run after the cycle it started ended, even when the hook of an earlier
// cycle is still to run when it is called. (collect once counted hooks and
// returned on that earlier one; TestPoolIdleReleasedGC, run in CI after a
// test whose garbage started cycles, then saw a pool released a cycle
// early, because that late hook saw the test's first Puts.)
func TestCollectWaitsForItsCyclesHookGC(t *testing.T) {
	onlyExplicitCollections(t)
	collect(t)
	registry.mu.Lock() // the next hook waits at its walk of the registry
	runtime.GC()       // a cycle ends; its hook is left to run
	go func() {
		time.Sleep(10 * time.Millisecond)
		registry.mu.Unlock()
	}()
	collect(t)
	if saw, n := hookSawCycles.Load(), completedCycles(); saw < n {
		t.Fatalf("collect returned before a hook ran after its cycle: the hooks saw %d cycles of %d", saw, n)
	}
}

func TestIdleCycles(t *testing.T) {
	for _, tc := range []struct {
		usedAt, now uint64
		want        int
	}{
		{5, 4, 0}, {5, 5, 0}, {5, 6, 0}, {5, 7, 1}, {5, 10, 4}, {0, 0, 0},
	} {
		if got := idleCycles(tc.usedAt, tc.now); got != tc.want {
			t.Errorf("idleCycles(%d, %d) = %d, want %d", tc.usedAt, tc.now, got, tc.want)
		}
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
	for range 4 {
		collect(t)
	}
	if s := stats(); s.Cached != 0 {
		t.Fatalf("idle pool after four collections: stats %+v, want nothing cached", s)
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

// TestHookReadsCyclesAroundItsSwapsGC plays cycles that complete while the
// hook runs (the hook called here, with the collector off, reading a count
// the test moves): a cache the hook saw used must record the count read
// after its swaps, and one it saw idle must count idle cycles only up to
// the count read before them, or a pool in use is released.
func TestHookReadsCyclesAroundItsSwapsGC(t *testing.T) {
	if raceEnabled {
		t.Skip("race builds drop a quarter of Puts on purpose: a dropped Put is no use")
	}
	var p Pool
	p.Put(new(item)) // registers the cache and arms the hook
	collect(t)       // a real hook has run; the next runs only after a collection
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	base := completedCycles() // the cache's use was recorded at most here
	clock := base
	// hook runs the hook, calling act at its nth read of the count (1:
	// before its swaps; 2: after them).
	hook := func(nth int, act func()) {
		reads := 0
		afterGCCounting(false, func() uint64 {
			if reads++; reads == nth {
				act()
			}
			return clock
		})
	}
	p.Put(new(item)) // a use
	// Hook 1 swaps at base and sees it; three cycles complete before its
	// second read.
	hook(2, func() { clock = base + 3 })
	// Hooks 2 and 3, at base+3 and base+4, see no call. Had hook 1 recorded
	// the use at base (its first read), cycles base+2 and base+3 would count
	// as idle, enough to release the pool.
	hook(0, nil)
	clock = base + 4
	hook(0, nil)
	if s := p.Stats(); s.Released != 0 || s.Cached != 2 {
		t.Fatalf("a pool used while the hook ran was released: %+v", s)
	}
	// Hook 4 swaps at base+4 and sees no call; a Put comes after its swaps,
	// and three more cycles complete before its second read. Had it counted
	// idle cycles up to that read, cycles base+5 to base+7 would count as
	// idle.
	hook(2, func() { p.Put(new(item)); clock = base + 7 })
	hook(0, nil) // sees that Put: the use is recorded at base+7
	if s := p.Stats(); s.Released != 0 || s.Cached != 3 {
		t.Fatalf("a pool used while the hook ran was released: %+v", s)
	}
	// Hook 6 reads the count first, while a Put comes and three cycles
	// complete: its swaps see the Put. Had it read the count after its
	// swaps, it would have missed the Put and counted cycles base+9 and
	// base+10 as idle.
	hook(1, func() { p.Put(new(item)); clock = base + 10 })
	if s := p.Stats(); s.Released != 0 || s.Cached != 4 {
		t.Fatalf("a pool used while the hook ran was released: %+v", s)
	}
}

// TestNewCacheIsUsedAtItsFirstHookGC checks that a new cache is registered
// as used: the first GC hook after its creation must count that creation
// (a call made it) and start the idle cycles there. register marks it
// touched before the hook can see it, so under the registry's lock either
// no hook has run since and the cache is still touched, or one has and
// recorded the use (usedAt); without the mark, neither holds, and a hook
// that ran late enough would count the cycles since 0 as idle and release
// the pool at once. (Playing a hook here instead, with a made-up cycle
// count, raced with real hooks still queued by an earlier test's.)
func TestNewCacheIsUsedAtItsFirstHookGC(t *testing.T) {
	c := newSeededCache() // what a pool's first call makes, before that call runs
	registry.mu.Lock()
	defer registry.mu.Unlock()
	for _, r := range registry.caches {
		if r.c.Value() == c {
			if !c.touched.Load() && r.usedAt == 0 {
				t.Fatal("a new cache is neither touched nor recorded as used: the first hook would count it idle since cycle 0")
			}
			return
		}
	}
	t.Fatal("a new cache is not in the registry")
}
