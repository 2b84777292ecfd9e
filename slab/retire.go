package slab

// Retiring a span: once nothing refers to a span any more — a freed large
// object, an idle span past ReleaseDelay, a span the debug mode kept in
// quarantine — its memory goes back to the system and its pages to the
// page heap, and the span struct is recycled.

// retire gives a span that nothing refers to any more back: its memory to
// the system, then its pages to the page heap.
func (a *Allocator) retire(s *span) {
	a.releaseSpan(s)
	a.returnPages(s)
}

// releaseSpan gives a span's memory back to the system.
func (a *Allocator) releaseSpan(s *span) {
	releasePages(s.pointer(), s.bytes())
	a.stats.released.Add(int64(s.bytes()))
}

// returnPages takes a released span out of the page map, gives its pages
// to the page heap and recycles the span struct.
func (a *Allocator) returnPages(s *span) {
	a.heap.arena(s.arena).setSpans(s.base, s.npages, nil)
	a.heap.free(s.arena, s.base, s.npages)
	freeSpanStruct(s)
}
