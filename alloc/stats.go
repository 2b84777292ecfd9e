package alloc

import (
	"expvar"
	"sync/atomic"
)

// Stats describes what a pool has done. Hits on the per-CPU caches are not
// counted: a counter on the fast path would cost as much as the fast path
// itself. Everything that leaves it is.
type Stats struct {
	Misses   int64 // Gets that found nothing cached (then New ran, if set)
	News     int64 // calls to New
	Drops    int64 // values dropped because every cache level was full, or too large
	DepotIn  int64 // batches moved from a CPU to the depot
	DepotOut int64 // batches moved from the depot to a CPU
	Cached   int64 // values held now, approximately
}

type counters struct {
	misses, news, drops, depotIn, depotOut atomic.Int64
}

func (c *cache) snapshot() Stats {
	if c == nil {
		return Stats{}
	}
	return Stats{
		Misses: c.stats.misses.Load(), News: c.stats.news.Load(), Drops: c.stats.drops.Load(),
		DepotIn: c.stats.depotIn.Load(), DepotOut: c.stats.depotOut.Load(), Cached: c.cached(),
	}
}

// Publish makes stats visible under name in expvar (and so at
// /debug/vars). stats is called on every read; pass a pool's Stats method.
func Publish(name string, stats func() Stats) {
	expvar.Publish(name, expvar.Func(func() any { return stats() }))
}
