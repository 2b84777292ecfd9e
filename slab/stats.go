package slab

import (
	"github.com/gorseq/percpu/rseq"
)

// Stats describes an Allocator's memory and what its caches did. Reading it
// takes no lock: it sums atomic counters, each CPU's stack tops and each
// class's depot count, so it is cheap enough to poll, and a consistent
// snapshot only while nothing allocates.
type Stats struct {
	Mode string // how the per-CPU caches run: rseq.Status().String()

	// Bytes.
	Mapped   int64 // address space of the arenas
	Resident int64 // bytes of spans held by size classes and large objects (an upper bound on what is resident)
	InUse    int64 // bytes of objects handed out and not freed (class sizes; large objects in whole pages)
	Cached   int64 // bytes of objects cached by CPUs and depots
	Idle     int64 // bytes of spans whose objects are all free, kept for reuse until ReleaseDelay passes
	Released int64 // bytes returned to the system so far, in total

	// Large objects in use, and the bytes of their spans.
	LargeObjects int64
	LargeBytes   int64

	// CountingHits says whether hits are being counted (CountHits); without
	// it Hits are 0 and only misses and overflows are known.
	CountingHits bool
	// SelfDrainPending says that Release could not fence and the CPUs are
	// draining their own caches (see Release).
	SelfDrainPending bool

	Classes []ClassStats // the size classes that hold or held memory, smallest first
	CPUs    []CPUStats   // one per CPU (by number, modulo runtime.NumCPU())
}

// ClassStats describes one size class.
type ClassStats struct {
	Size      int   // bytes per object
	Hits      int64 // allocations served by the CPU's cache (counted only while CountHits is on)
	Misses    int64 // allocations the CPU's cache could not serve
	Overflows int64 // frees the CPU's cache had no room for
	Limit     int   // objects each CPU may cache now (0: the class is not cached per CPU)
	Capacity  int   // the most Limit may grow to

	InUseObjects  int64 // objects handed out and not freed
	CachedObjects int64 // objects in the CPUs' caches (and the fallback's shards)
	DepotObjects  int64 // objects in the depot

	Spans       int64 // spans the class holds
	InUseBytes  int64 // InUseObjects × Size
	CachedBytes int64 // (CachedObjects + DepotObjects) × Size
	// SpanBytes is the memory of the class's spans: mapped for the class
	// and resident, except pages no object has touched yet. A span's
	// memory goes back to the system when it leaves the class.
	SpanBytes int64
	IdleBytes int64 // bytes of spans whose objects are all free
}

// CPUStats describes what happened on one CPU, as far as the slow paths
// saw it. CPU numbers come from rseq.CPU, a hint that may be stale by a
// migration.
type CPUStats struct {
	CPU       int
	Hits      int64 // counted only while CountHits is on
	Misses    int64
	Overflows int64
}

// Stats returns the Allocator's statistics.
func (a *Allocator) Stats() Stats {
	d := a.divert.Load()
	st := Stats{
		Mode:             rseq.Status().String(),
		Mapped:           a.heap.mapped.Load(),
		Released:         a.stats.released.Load(),
		LargeObjects:     a.stats.largeCount.Load(),
		LargeBytes:       a.stats.largeBytes.Load(),
		CountingHits:     d&divertCountHits != 0,
		SelfDrainPending: d&divertSelfDrain != 0,
	}
	st.InUse, st.Resident = st.LargeBytes, st.LargeBytes
	for k := range a.classes {
		cs, ok := a.classStats(k)
		if !ok {
			continue
		}
		st.Classes = append(st.Classes, cs)
		st.InUse += cs.InUseBytes
		st.Cached += cs.CachedBytes
		st.Resident += cs.SpanBytes
		st.Idle += cs.IdleBytes
	}
	for i := range a.cpus {
		c := &a.cpus[i]
		st.CPUs = append(st.CPUs, CPUStats{CPU: i, Hits: c.hits.Load(), Misses: c.misses.Load(), Overflows: c.overflows.Load()})
	}
	return st
}

// classStats returns class k's statistics, and false if it never held
// memory.
func (a *Allocator) classStats(k int) (ClassStats, bool) {
	c := &a.classes[k]
	info := &classes[k]
	spans := c.central.spans.Load()
	misses := c.misses.Load()
	if spans == 0 && misses == 0 {
		return ClassStats{}, false
	}
	cs := ClassStats{
		Size: int(info.size), Misses: misses, Overflows: c.over.Load(),
		DepotObjects: c.depot.count.Load(), Spans: spans,
	}
	if uint(k) < a.cachedClasses {
		cs.Limit, cs.Capacity = int(c.limit.Load()), a.stacks.Capacity(k)
		cs.CachedObjects = int64(a.stacks.Len(k))
	}
	cs.Hits = c.hits.Load()
	size := int64(info.size)
	cs.InUseObjects = max(0, c.central.out.Load()-cs.CachedObjects-cs.DepotObjects)
	cs.InUseBytes = cs.InUseObjects * size
	cs.CachedBytes = (cs.CachedObjects + cs.DepotObjects) * size
	cs.SpanBytes = spans * int64(info.spanBytes())
	cs.IdleBytes = c.central.idleSpans.Load() * int64(info.spanBytes())
	return cs, true
}
