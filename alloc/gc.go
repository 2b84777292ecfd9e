package alloc

import (
	"runtime"
	"sync"
	"sync/atomic"
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
}

// sentinel is big enough to avoid the tiny allocator, whose blocks can keep
// a small object reachable for several cycles.
type sentinel struct{ _ [16]byte }

func register(c *cache) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.caches = append(registry.caches, weak.Make(c))
	if !registry.armed {
		registry.armed = true
		arm()
	}
}

func arm() {
	runtime.AddCleanup(new(sentinel), func(struct{}) { afterGC() }, struct{}{})
}

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
