package alloc

import (
	"sync"

	"github.com/gorseq/percpu/rseq"
)

// A pool's first calls are served by its seed: one value slot in the
// cache, under a mutex, before the pool has any per-CPU machinery (the
// family of entry stacks, its descriptor and block table, its share of
// the per-CPU budget, the depot). A program with thousands of pools, most
// of them used a few times, then pays for the machinery only in the pools
// that are busy: a pool used once costs its cache and the one value,
// within twice what a sync.Pool costs (1.1–1.8× by GOMAXPROCS, and less
// from 4 up; TestManyPoolsMemory), where building the machinery at the
// first Put cost 2.6–4× sync.Pool's bytes per pool below GOMAXPROCS 4.
//
// The seed gives way to the machinery (cache.build) at the first Put
// that finds its slot full, since the pool is asked to keep two values at
// once, or at the seedCalls-th call, since the pool is busy: every later
// call takes the per-CPU path. A seeded call costs a mutex, as a call past
// the hit path does; a pool in steady use leaves the seed after its first
// few calls.
//
// The seed is the cache's: the GC policy sees its use (touched) and
// release empties its slot as it empties the stacks, so a pool left idle
// lets go of its one value like any other. A value in the slot is an
// ordinary Go pointer in a Go object; the collector needs no protocol for
// it.
//
// Pool and PoolOf seed, but for PoolOf's boxed shape, whose empty boxes
// have paths of their own into a member of the machinery (takeBox,
// keepBox), and Buffers, whose classes do: they build their machinery with
// the cache.

// seedCalls is how many calls a seed serves before the pool grows its
// per-CPU machinery whatever they did.
const seedCalls = 16

// seed is a pool's cache before it grows: one value and a count of calls.
// Once the cache has grown (cache.ready) it serves no more.
type seed struct {
	mu    sync.Mutex
	e     rseq.Entry // the value held (e.P nil: none); guarded by mu
	calls int32      // guarded by mu
}

// putSeed keeps e in c's seed and reports true, or grows c's machinery to
// l and reports false: then the caller puts e on the per-CPU path, after
// the value the seed held, which putSeed moved there.
func (c *cache) putSeed(e rseq.Entry, l limits) bool {
	s := &c.seed
	s.mu.Lock()
	if c.ready.Load() {
		s.mu.Unlock()
		return false
	}
	s.calls++
	if s.e.P == nil && s.calls < seedCalls {
		s.e = e
		s.mu.Unlock()
		c.markUsed()
		return true
	}
	held := s.e
	s.e = rseq.Entry{}
	c.build(l)
	s.mu.Unlock()
	if held.P != nil {
		c.put(0, held)
	}
	return false
}

// getSeed takes the value from c's seed: ok says whether it held one;
// served is false when c has grown, and then the caller takes the per-CPU
// path. At the seed's last call it grows c's machinery to l.
func (c *cache) getSeed(l limits) (e rseq.Entry, ok, served bool) {
	s := &c.seed
	s.mu.Lock()
	if c.ready.Load() {
		s.mu.Unlock()
		return e, false, false
	}
	s.calls++
	e, s.e = s.e, rseq.Entry{}
	if s.calls >= seedCalls {
		c.build(l) // the seed is empty: e is what it held
	}
	s.mu.Unlock()
	c.markUsed()
	c.countGet(e.P != nil)
	return e, e.P != nil, true
}

// releaseSeed empties the seed for release and returns how many values
// it dropped, or -1 when the cache has grown (then release empties the
// per-CPU machinery).
func (c *cache) releaseSeed() int64 {
	if c.ready.Load() {
		return -1 // grown: no need to take the seed's lock
	}
	c.seed.mu.Lock()
	defer c.seed.mu.Unlock()
	n := c.seedHeldLocked()
	c.seed.e = rseq.Entry{} // empty already when the cache has grown
	return n
}

// seeded reports how many values the seed holds, or -1 when the cache has
// grown.
func (c *cache) seeded() int64 {
	if c.ready.Load() {
		return -1 // grown: no need to take the seed's lock
	}
	c.seed.mu.Lock()
	defer c.seed.mu.Unlock()
	return c.seedHeldLocked()
}

// seedHeldLocked is seeded with the seed's mu held.
func (c *cache) seedHeldLocked() int64 {
	switch {
	case c.ready.Load():
		return -1
	case c.seed.e.P == nil:
		return 0
	}
	return 1
}
