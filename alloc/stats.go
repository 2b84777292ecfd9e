package alloc

import (
	"expvar"
	"sync/atomic"

	"github.com/gorseq/percpu/internal/hitcount"
)

// Stats describes what a pool has done and what it holds. Every field but
// Hits counts events off the fast path, so keeping them costs nothing
// there; reading them is a handful of loads (Cached also sums the per-CPU
// stacks and takes each depot's lock once).
type Stats struct {
	// Hits counts the Gets served from the pool's caches while hit
	// counting was on (see Pool.CountHits); 0 otherwise. CountingHits says
	// whether it is on now.
	Hits         int64
	CountingHits bool
	Misses       int64 // Gets that found nothing cached (then New ran, if set)
	News         int64 // calls to New
	Drops        int64 // values not kept: every level was full, or a buffer's size has no class
	DepotIn      int64 // batches moved from a CPU to the depot
	DepotOut     int64 // batches moved from the depot to a CPU
	Released     int64 // values let go because the pool sat idle for two GC cycles
	Cached       int64 // values held now, approximately

	// Grows counts the times a CPU's stack doubled (see DefaultPerCPU), and
	// Shrinks the times one was halved, having been at most a quarter full
	// at two GC cycles in a row with no overflow or refill since the cycle
	// before.
	Grows   int64
	Shrinks int64
	// Collects counts the times a Get that found its CPU's stack and the
	// depot empty moved the values cached on the other CPUs to the depot
	// (at most once per GC cycle).
	Collects int64
	// PerCPUBytes is the memory of the pool's per-CPU stacks, on every CPU
	// that has used the pool since it was last released; CPUs counts
	// those, and PerCPULimit is the largest stack's capacity among them,
	// in values.
	PerCPUBytes int64
	CPUs        int
	PerCPULimit int
}

// counters are a cache's statistics. All but hits are counted on slow
// paths, with atomic adds.
type counters struct {
	misses, news, drops, released, grows, shrinks, collects atomic.Int64
	hits                                                    hitcount.Counter
	// The depot's moves are counted in its shards (depot.moves).
}

// countHits turns hit counting on or off: on closes the fast path, which
// does not count, and open keeps it closed while counting is on. Each
// pool type's CountHits calls it.
//
// Hit counting is per pool, as it is per Allocator in package slab: a hit
// costs about as much to count as to serve, so only the pool being looked
// at should pay for it.
func (c *cache) countHits(on bool) {
	c.counting.Store(on)
	if on {
		c.fast.Store(nil)
		c.private.Store(nil)
	}
}

func (c *cache) snapshot() Stats {
	if c == nil {
		return Stats{}
	}
	s := Stats{
		Misses: c.stats.misses.Load(), News: c.stats.news.Load(), Drops: c.stats.drops.Load(),
		Released: c.stats.released.Load(), Cached: c.cached(), Grows: c.stats.grows.Load(), Shrinks: c.stats.shrinks.Load(),
		Collects: c.stats.collects.Load(), CountingHits: c.counting.Load(),
	}
	if c.ready.Load() { // else a seed, which has no depot
		for k := range c.depots {
			in, out := c.depots[k].moves()
			s.DepotIn, s.DepotOut = s.DepotIn+in, s.DepotOut+out
		}
	}
	s.PerCPUBytes, s.CPUs, s.PerCPULimit = c.footprint()
	s.Hits = c.stats.hits.Load()
	return s
}

// Publish makes a pool's statistics visible in expvar under name (and so at
// /debug/vars); stats is called on every read:
//
//	alloc.Publish("pools.buffers", bufPool.Stats)
//
// Like expvar.Publish, it panics if name is already in use.
func Publish(name string, stats func() Stats) {
	expvar.Publish(name, expvar.Func(func() any { return stats() }))
}
