package alloc

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
	"weak"
)

// The GC policy. A cache that nobody used during a whole GC cycle is
// emptied when that cycle ends, so an idle pool lets go of its values at
// the second collection after its last use, and the collection after that
// frees them. A cache in use is never emptied by the collector: unlike
// sync.Pool, its hot values survive every GC.
//
// The collector is observed with a sentinel object and runtime.AddCleanup,
// re-armed every cycle while any cache exists. Use is observed without a
// cost on the fast path: at every cycle the hook closes each cache's fast
// path, and the next Get or Put, taking the slow path, marks the cache as
// used and reopens it. Caches are held weakly, so an unreachable pool is
// collected like any other object, values and all.
var registry struct {
	mu     sync.Mutex
	caches []weak.Pointer[cache] // guarded by mu
	armed  bool                  // a sentinel is waiting for the next cycle; guarded by mu

	armedAt  uint64 // completed GC cycles when the sentinel was armed; guarded by mu
	watching bool   // the watchdog timer is set; guarded by mu
}

// sentinel is big enough to avoid the tiny allocator, whose blocks can keep
// a small object reachable for several cycles.
type sentinel struct{ _ [16]byte }

// A sentinel's cleanup can be stranded. The runtime (Go 1.26) queues
// cleanups in a per-P block while it sweeps, and flushes the blocks of the
// Ps in allp when sweeping ends; a P removed by a GOMAXPROCS decrease in
// between keeps its block (proc.go's destroy does not flush it) until
// GOMAXPROCS grows back over that P. The tests, which change GOMAXPROCS
// during collections, saw the hook stop that way. So a watchdog timer
// checks, every watchInterval while caches exist, that the hook ran within
// two cycles of its arming, and arms a new sentinel if not; generations let
// a stranded cleanup that runs late do nothing.
const watchInterval = time.Second

// armedGen numbers the armings; firedGen is the newest one whose hook ran.
var armedGen, firedGen atomic.Uint64

// gcCountSample reads the number of completed GC cycles; guarded by
// registry.mu.
var gcCountSample = []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}

func completedCycles() uint64 {
	metrics.Read(gcCountSample)
	if gcCountSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return gcCountSample[0].Value.Uint64()
}

func register(c *cache) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.caches = append(registry.caches, weak.Make(c))
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

// watch re-arms the hook when its sentinel has gone two cycles without
// running it, and keeps watching while caches exist.
func watch() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if len(registry.caches) == 0 {
		registry.watching = false
		return
	}
	if registry.armed && completedCycles() >= registry.armedAt+2 {
		stranded.Add(1)
		arm()
	}
	time.AfterFunc(watchInterval, watch)
}

// stranded counts the sentinels the watchdog gave up on.
var stranded atomic.Int64

// gcCycles counts the cycles afterGC has handled.
var gcCycles atomic.Int64

// afterGC runs once per GC cycle, on the runtime's cleanup goroutine.
func afterGC() {
	defer gcCycles.Add(1)
	var idle []*cache
	forEachCache(true, func(c *cache) {
		c.fast.Store(nil)
		if c.touched.Swap(false) {
			c.idle = 0
		} else if c.idle++; c.idle == 1 {
			idle = append(idle, c)
		}
	})
	for _, c := range idle {
		c.release()
	}
}

// forEachCache calls fn, under registry.mu, for every cache whose pool is
// still reachable and forgets the others. fired says that the sentinel has
// just been collected: it is re-armed while any cache remains.
func forEachCache(fired bool, fn func(*cache)) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if fired {
		registry.armed = false
	}
	live := registry.caches[:0]
	for _, w := range registry.caches {
		if c := w.Value(); c != nil {
			live = append(live, w)
			fn(c)
		}
	}
	clear(registry.caches[len(live):])
	registry.caches = live
	if len(live) > 0 && !registry.armed {
		registry.armed = true
		arm()
	}
}
