package slab

import (
	"fmt"
	"unsafe"

	"github.com/gorseq/percpu/internal/arch"
	"github.com/gorseq/percpu/internal/procpin"
)

// The fast paths. Alloc is a size-to-class lookup and one pop from the
// calling CPU's stack of the class; Free is a page-table lookup (through
// the Allocator's near tables, the page map only past them), a check that
// the pointer starts an object, and one push. Everything else — a miss, an
// overflow, large objects, debug mode, hit counting, bad pointers — is out
// of line.

// Alloc returns size bytes of memory the garbage collector does not scan.
// The contents are undefined (use Bytes or a Cache for zeroed memory).
// Objects up to MaxSmallSize come from size classes and are aligned to the
// largest power of two dividing their class size (at least 8); larger ones
// are page-aligned. Alloc panics if the system refuses memory.
func (a *Allocator) Alloc(size uintptr) unsafe.Pointer {
	if size-1 < a.fastMax.Load() { // 0 < size <= the largest cached size, and no divert
		k := classOf(size)
		if d := a.descs; d != nil { // the section, called here: a call level less
			p, st := arch.PopWord(d[k])
			if st != arch.Committed {
				p = a.popAfter(k, p, st)
			}
			return pointerAt(p)
		}
		// The fallback's hit path, pinned in this body: a call level less.
		p, ok := a.stacks.PopPinned(procpin.Pin(), k)
		procpin.Unpin()
		if ok {
			return pointerAt(p)
		}
		return pointerAt(a.pop(k))
	}
	return a.allocSlow(size)
}

// pop takes an object of class k, cached per CPU, from the calling CPU's
// stack, or refills the stack. Alloc calls it only where sections do not
// run (a.descs is nil) and its P's private part was empty; where they run,
// Alloc calls the section itself.
func (a *Allocator) pop(k int) uintptr {
	if p, ok := a.stacks.Pop(k); ok {
		return p
	}
	return a.refill(k)
}

// popAfter finishes a pop of class k whose section returned p and st
// (anything but a clean commit).
func (a *Allocator) popAfter(k int, p uintptr, st arch.Status) uintptr {
	if p, ok := a.stacks.PopAfter(k, p, st); ok {
		return p
	}
	return a.refill(k)
}

// push puts an object of class k, cached per CPU, on the calling CPU's
// stack, or moves a batch to the depot when the stack is full. Free's fast
// path calls it only where sections do not run and its P's private part
// was full (where they run, Free calls the section itself); freeSlow calls
// it either way.
func (a *Allocator) push(k int, addr uintptr) {
	if !a.stacks.Push(k, addr) {
		a.overflow(k, addr)
	}
}

// pushAfter finishes a push of addr in class k whose section returned st
// (anything but a clean commit).
func (a *Allocator) pushAfter(k int, addr uintptr, st arch.Status) {
	if !a.stacks.PushAfter(k, addr, st) {
		a.overflow(k, addr)
	}
}

// Free returns memory that Alloc (or a Cache, or Bytes) of this Allocator
// returned. Free(nil) does nothing. A pointer this Allocator did not hand
// out, or one into the middle of an object, makes Free panic before it
// changes anything.
func (a *Allocator) Free(p unsafe.Pointer) {
	addr := uintptr(p)
	e := a.heap.near.entry(addr) // one of this Allocator's first slots
	if e == 0 {
		e = pageEntryOf(addr) // any other address
	}
	// k is s.class, known without waiting for s to be read.
	s, k := entrySpan(e), entryClass(e)
	if s == nil || s.fastOwner != a.fastKey.Load() { // not ours, not cached per CPU, or divert
		a.freeSlow(addr, s)
		return
	}
	if _, ok := s.index(addr); !ok {
		panicBadFree(a, addr, s)
	}
	if d := a.descs; d != nil { // the section, called here: a call level less
		if st := arch.PushWord(d[k], addr); st != arch.Committed {
			a.pushAfter(k, addr, st)
		}
		return
	}
	// The fallback's hit path, pinned in this body, else the shards.
	ok := a.stacks.PushPinned(procpin.Pin(), k, addr)
	procpin.Unpin()
	if !ok {
		a.push(k, addr)
	}
}

// allocSlow serves what the fast path does not: classes not cached per
// CPU, large objects, and every allocation while divert is set.
func (a *Allocator) allocSlow(size uintptr) unsafe.Pointer {
	if size > maxSmallSize {
		return a.allocLarge(size)
	}
	return pointerAt(a.allocDiverted(classOf(size)))
}

// allocDiverted allocates from class k when the fast path may not: the
// class is not cached per CPU, or divert is set.
func (a *Allocator) allocDiverted(k int) uintptr {
	d := a.divert.Load()
	if d&divertClosed != 0 {
		panic(errClosed)
	}
	if d&divertSelfDrain != 0 {
		a.selfDrain()
	}
	var p uintptr
	if a.usesCache(k, d) {
		v, ok := a.stacks.Pop(k)
		switch {
		case !ok:
			v = a.refill(k)
		case d&divertCountHits != 0:
			a.countHit(k)
		}
		p = v
	} else {
		a.countMiss(k)
		var one [1]uintptr
		a.takeShared(k, one[:])
		p = one[0]
	}
	if a.debug != nil {
		a.debug.checkAlloc(p)
	}
	return p
}

// usesCache reports whether an operation on class k goes through the
// calling CPU's cache, given divert bits d.
func (a *Allocator) usesCache(k int, d uint32) bool {
	if uint(k) >= a.cachedClasses || d&divertSelfDrain != 0 {
		return false
	}
	return a.debug == nil || !a.debug.protect
}

// freeSlow frees what the fast path does not: nil, bad pointers, large
// objects, classes not cached per CPU, and every free while divert is set.
func (a *Allocator) freeSlow(addr uintptr, s *span) {
	if addr == 0 {
		return
	}
	d := a.divert.Load()
	if d&divertClosed != 0 {
		panic(errClosed)
	}
	if s == nil || s.owner != a.id {
		panicBadFree(a, addr, s)
	}
	if s.class == largeClass {
		a.freeLarge(addr, s)
		return
	}
	i, ok := s.index(addr)
	if !ok {
		panicBadFree(a, addr, s)
	}
	if a.debug != nil {
		a.debug.checkFree(s, i, addr)
	}
	if d&divertSelfDrain != 0 {
		a.selfDrain()
	}
	k := s.class
	if a.usesCache(k, d) {
		a.push(k, addr)
		return
	}
	one := [1]uintptr{addr}
	a.putShared(k, one[:])
}

// pointerAt converts addr, the address of an object in an arena, to a
// pointer. The rules for converting a uintptr to an unsafe.Pointer exist
// because the garbage collector may move or free Go memory; an arena is
// neither Go's nor ever moved (or, where arenas are Go memory, a live
// byte slice that is never moved), and it stays mapped until Close, so the
// pointer is valid while the object is allocated. The copy through &addr
// is the same conversion, spelled so that vet's unsafeptr check, which
// cannot know where addr points, accepts it; checkptr has nothing to check
// for memory outside the Go heap.
func pointerAt(addr uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}

// panicBadFree reports a pointer a.Free cannot take: one no span of a
// owns, one inside an object, or one in a span's unused tail. It changes
// nothing before it panics.
func panicBadFree(a *Allocator, addr uintptr, s *span) {
	const notOurs = "slab: Free of pointer %#x not allocated by this slab"
	switch {
	case s == nil:
		panic(fmt.Sprintf(notOurs, addr))
	case s.owner != a.id:
		panic(fmt.Sprintf(notOurs+" (it belongs to another Allocator)", addr))
	case s.class != largeClass && (addr-s.base)/s.elemSize >= s.nelems:
		panic(fmt.Sprintf(notOurs+" (it lies in the unused tail of a span)", addr))
	}
	panic(fmt.Sprintf("slab: Free of interior pointer %#x (object starts at %#x)", addr, s.objectStart(addr)))
}
