package alloc

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/gorseq/percpu/rseq"
)

// The GC policy. A cache that nobody used during two whole GC cycles is
// emptied, so an idle pool lets go of its values at the third collection
// after its last use at the earliest (the fourth when the hook sees that use
// only after its cycle has ended, as it usually does), and the collection
// after that frees them. A cache in use is never emptied by the collector:
// unlike sync.Pool, its hot values survive every GC, and so do the values
// of a pool used only between every two collections — a load that comes in
// peaks with the collector running in between — which sync.Pool's victim
// cache would drop.
//
// The collector is observed with a sentinel object and runtime.AddCleanup,
// re-armed every cycle while any cache exists. Use is observed without a
// cost on the fast path: at every cycle the hook closes each cache's fast
// path, and the next Get or Put, taking the slow path, marks the cache as
// used and reopens it. Caches are held weakly, so an unreachable pool is
// collected like any other object, values and all.
//
// The hook runs on the runtime's cleanup goroutine, after its cycle ends
// and sometimes well after: a pool used between every two collections may
// have been used after cycle N ended and before cycle N's hook ran, and
// then not again before cycle N+1 ended. Cycle N's hook sees that use and
// cycle N+1's hook sees none, though the interval between the two cycles
// was not idle. (Nothing can tell such a use from one made before cycle N
// ended: the fast path leaves no trace.) So a use seen by the hook when N
// cycles had completed counts as a use in cycle N+1 too, and the cache is
// counted idle only by a hook that sees no use once N+2 cycles have
// completed: cycle N+2 began after the hook that last saw a use, so it was
// idle. The cache is emptied once releaseAfterIdle cycles were idle.
var registry struct {
	mu     sync.Mutex
	caches []registered // guarded by mu
	armed  bool         // a sentinel is waiting for the next cycle; guarded by mu

	armedAt  uint64 // completed GC cycles when the sentinel was armed; guarded by mu
	watching bool   // the watchdog timer (gcwatchdog.go) is set; guarded by mu

	// live is withRegistered's list of the caches it hands to its caller,
	// kept between hooks so that a hook allocates nothing for it, and
	// cleared after each (it must not keep a pool alive); guarded by mu.
	live []*cache
}

// releaseAfterIdle is how many whole GC cycles without a call empty a
// cache. One is not enough: a use the hook sees while the next cycle is
// already under way is placed exactly, so with one, a pool used between
// every two collections was emptied whenever the hook ran that early (one
// round in about forty of allocbench's gcpressure at -cpu 1).
const releaseAfterIdle = 2

// sentinel is big enough to avoid the tiny allocator, whose blocks can keep
// a small object reachable for several cycles.
type sentinel struct{ _ [16]byte }

// completedCycles reads the number of completed GC cycles.
func completedCycles() uint64 {
	sample := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// registered is the registry's record of one cache.
type registered struct {
	c weak.Pointer[cache]
	// usedAt is the number of completed cycles when a hook last saw the
	// cache used; cycles up to usedAt+1 may have seen calls. It is 0 until
	// the first hook after the cache's creation, which always sees it used
	// (register).
	usedAt uint64
}

// register hands c to the GC policy. A cache is made by a call, so it
// starts touched: the first hook after it counts that call, and its idle
// cycles start there. (Reading the count of completed cycles here would
// cost a metrics.Read and an allocation in every pool's first call, a
// tenth of what a short-lived pool costs: BenchmarkPoolShortLived.)
func register(c *cache) {
	c.markUsed() // before the hook can see c
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.caches = append(registry.caches, registered{c: weak.Make(c)})
	if !registry.armed {
		registry.armed = true
		arm()
	}
	if !registry.watching {
		registry.watching = true
		time.AfterFunc(watchInterval, watch)
	}
}

// arm attaches the hook to a new sentinel. Called with registry.mu held.
func arm() {
	gen := armedGen.Add(1)
	registry.armedAt = completedCycles()
	runtime.AddCleanup(newSentinel(), fire, gen)
}

// newSentinel allocates a sentinel; a test replaces it to strand one.
var newSentinel = func() *sentinel { return new(sentinel) }

// fire runs the hook for sentinel generation gen, unless a newer one has
// already run it.
func fire(gen uint64) {
	for {
		f := firedGen.Load()
		if gen <= f {
			return
		}
		if firedGen.CompareAndSwap(f, gen) {
			afterGC()
			return
		}
	}
}

// gcCycles counts the cycles afterGC has handled.
var gcCycles atomic.Int64

// hookSawCycles is the number of completed cycles the last hook read
// before its swaps: a hook has run after every cycle up to this one ended.
// (Counting hooks is not enough to wait for a given cycle's: the hook of an
// earlier cycle may run late, after the next one began.)
var hookSawCycles atomic.Uint64

// afterGC runs once per GC cycle, on the runtime's cleanup goroutine.
func afterGC() {
	before := afterGCCounting(true, completedCycles)
	for {
		saw := hookSawCycles.Load()
		if before <= saw || hookSawCycles.CompareAndSwap(saw, before) {
			return
		}
	}
}

// afterGCCounting is afterGC reading the count of completed cycles from
// cycles (a test plays cycles that complete while the hook runs).
//
// It reads the count twice, whatever the number of pools: before, ahead of
// every cache's swaps, and after, behind them. A call the swaps saw came
// before after cycles had completed, so a used cache records after; a call
// they did not see came after its swaps, in cycle before+1 or later, so an
// idle cache counts its idle cycles up to before. (Each read is a
// metrics.Read, about 300 ns and an allocation. With a read per cache, as
// before, a hook over 10,000 pools took 4.0 ms and allocated 0.9 MB, every
// cycle; with two, 0.35 ms and under 1 KB: BenchmarkGCHook.)
func afterGCCounting(fired bool, cycles func() uint64) (before uint64) {
	defer gcCycles.Add(1)
	// The marking protocol keeps the last values each P shaded; a value a
	// Get took out while the collector marked must not stay alive by that.
	rseq.ReleaseShaded()
	var idle, grown []*cache
	before = cycles()
	withRegistered(fired, func(records []registered, caches []*cache) {
		for _, c := range caches {
			c.seen = c.takeUse()
		}
		after := cycles()
		for i, c := range caches {
			r := &records[i]
			switch n := idleCycles(r.usedAt, before); {
			case c.seen:
				r.usedAt, c.idle = after, 0
			case n > int(c.idle): // cycles usedAt+2 to before began after the use was seen
				if c.idle < releaseAfterIdle && n >= releaseAfterIdle {
					idle = append(idle, c)
				}
				c.idle = int32(n)
			}
			if c.idle < releaseAfterIdle && c.stats.grows.Load() > 0 {
				grown = append(grown, c) // not released: its stacks may shrink
			}
		}
	})
	for _, c := range idle {
		c.release()
	}
	for _, c := range grown {
		c.shrink()
	}
	return before
}

// takeUse reports whether the cache was called since the last hook, and
// closes its fast path (and the fallback's private path) so that the next
// call reopens it. A call either reopened a path or set touched. Both are
// read: the slow path sets touched, then reopens, so a hook that takes
// touched between the two leaves the path open for the next hook to see,
// where touched alone would show no use at all until the hook after.
func (c *cache) takeUse() bool {
	reopened := c.fast.Swap(nil) != nil
	reopened = c.private.Swap(nil) != nil || reopened
	return c.touched.Swap(false) || reopened
}

// idleCycles is how many whole cycles are known to have had no call when
// now cycles have completed and a call was last seen with usedAt
// completed: none for cycle usedAt+1, which may have had calls the hook saw
// only after it ended.
func idleCycles(usedAt, now uint64) int {
	if now <= usedAt+1 {
		return 0
	}
	return int(now - usedAt - 1)
}

// withRegistered calls fn once, under registry.mu, with the registry
// records of every cache whose pool is still reachable and those caches,
// index by index, and forgets the others. fired says that the sentinel has
// just been collected: it is re-armed while any cache remains.
func withRegistered(fired bool, fn func([]registered, []*cache)) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if fired {
		registry.armed = false
	}
	live, caches := registry.caches[:0], registry.live[:0]
	for _, r := range registry.caches {
		if c := r.c.Value(); c != nil {
			live = append(live, r)
			caches = append(caches, c)
		}
	}
	clear(registry.caches[len(live):])
	registry.caches = live
	fn(live, caches)
	clear(caches)
	registry.live = caches[:0]
	if len(live) > 0 && !registry.armed {
		registry.armed = true
		arm()
	}
}
