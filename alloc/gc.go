package alloc

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// The GC policy. A cache that nobody touched during a whole GC cycle is
// emptied at the end of that cycle, so an idle pool drops its values at the
// second collection after its last use (and the collection after that frees
// them). A cache in use is never emptied by the collector: unlike sync.Pool,
// its hot values survive every GC.
//
// The collector is observed with a sentinel object and runtime.AddCleanup,
// re-armed every cycle; caches are held weakly, so an unreachable pool is
// collected like any other object.
var registry struct {
	mu     sync.Mutex
	caches []weak.Pointer[cache] // guarded by mu
	armed  bool                  // guarded by mu
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
	registry.mu.Lock()
	live := registry.caches[:0]
	var idle []*cache
	for _, w := range registry.caches {
		c := w.Value()
		if c == nil {
			continue // its pool was collected
		}
		live = append(live, w)
		if c.touched.Swap(false) {
			c.idle = 0
		} else if c.idle++; c.idle == 1 {
			idle = append(idle, c)
		}
	}
	clear(registry.caches[len(live):])
	registry.caches = live
	registry.armed = len(live) > 0
	if registry.armed {
		arm()
	}
	registry.mu.Unlock()
	for _, c := range idle {
		c.release()
	}
}
