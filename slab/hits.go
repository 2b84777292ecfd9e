package slab

// Hit counting: allocations the calling CPU's cache served, counted per
// class and per CPU on the slow path while CountHits diverts to it.

// countHit counts a hit of class k.
func (a *Allocator) countHit(k int) {
	a.classes[k].hits.Add(1)
	a.onCPU().hits.Add(1)
}

// CountHits turns the counting of Stats hits on or off. A hit costs about
// as much to count as to serve, so counting is off by default; while it is
// on, every Alloc and Free takes the slow path, which counts. Misses and
// overflows are always counted (on the slow path, where they cost nothing
// extra).
func (a *Allocator) CountHits(on bool) {
	a.setDivert(divertCountHits, on)
}
