package slab

import (
	"fmt"
	"unsafe"
)

// Large objects, above MaxSmallSize, get a span of their own from the page
// heap, rounded up to whole pages. They are not cached: Free returns the
// span's memory to the system at once (madvise) and its pages to the page
// heap, so a large Alloc costs page faults on first touch — as mmap would,
// without the system call to map.

// maxLargeSize bounds a single allocation (1 TiB; 1 GiB on 32-bit
// targets): beyond it the page arithmetic could overflow.
const maxLargeSize = 1 << (30 + 10*(^uintptr(0)>>63))

func (a *Allocator) allocLarge(size uintptr) unsafe.Pointer {
	if a.divert.Load()&divertClosed != 0 {
		panic(errClosed)
	}
	if size > maxLargeSize {
		panic(fmt.Sprintf("slab: Alloc of %d bytes exceeds the largest allocation (%d)", size, uintptr(maxLargeSize)))
	}
	npages := (size + pageSize - 1) >> pageShift
	ar, i, base, err := a.heap.alloc(npages)
	if err != nil {
		panic(fmt.Sprintf("slab: out of memory: %v", err))
	}
	s, err := newSpan(a, i, base, npages, largeClass)
	if err != nil {
		a.heap.free(i, base, npages)
		panic(fmt.Sprintf("slab: out of memory: %v", err))
	}
	ar.setSpans(base, npages, s)
	a.stats.largeCount.Add(1)
	a.stats.largeBytes.Add(int64(s.bytes()))
	return s.pointer()
}

// freeLarge frees the large object at addr, whose span is s.
func (a *Allocator) freeLarge(addr uintptr, s *span) {
	if addr != s.base {
		panicBadFree(a, addr, s)
	}
	if s.freed.Swap(true) {
		panic(fmt.Sprintf("slab: double free of large object %#x (%d bytes)", addr, s.bytes()))
	}
	a.stats.largeCount.Add(-1)
	a.stats.largeBytes.Add(-int64(s.bytes()))
	if a.debug != nil {
		a.debug.quarantineSpan(a, s)
		return
	}
	a.retire(s)
}
