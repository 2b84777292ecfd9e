package slab

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// A span is a run of pages holding objects of one size class, or one large
// object. Span structs live outside the Go heap (see spanpool.go), so that
// the garbage collector neither scans nor marks them: they hold no Go
// pointers — the owner and the arena are numbers — only pointers to other
// spans, which the collector ignores.
//
// A span's identity (the first block of fields) is fixed when it is
// created and never changes, so Free reads it without a lock; when the
// span's pages go back to the page heap the span struct is recycled, and a
// later span on the same pages is a new one.
type span struct {
	// Set at creation; read by anyone.
	fastOwner uint64 // the owner's id if the class is cached per CPU, else 0: Free's fast path takes only these
	owner     uint64 // the owning Allocator's id
	base      uintptr
	divMul    uint64
	nelems    uintptr
	elemSize  uintptr
	class     int // the size class, or largeClass
	npages    uintptr
	arena     int // index of the arena in the owner's page heap

	// Guarded by the owning class's central.mu (large spans: unused).
	nfree  uintptr // number of bits set in freeBits
	list   spanListID
	prev   *span
	next   *span // also links the span pool's free spans
	idleAt int64 // when the span became idle (monotonic ns; idle list only)

	// freed is set by the first Free of a large span; debug mode keeps such
	// spans in the page map for a while to report a second Free.
	freed atomic.Bool

	// Guarded by central.mu: bit i set while object i is free in the span
	// (not with a user, in a cache or in a depot).
	freeBits [bitmapWords]uint64
	// Debug mode only: bit i set while object i is with a user (between
	// Alloc and Free). Updated atomically by Alloc and Free.
	userBits [bitmapWords]atomic.Uint64
}

// bitmapWords is the size of a span's bitmaps: enough for the most objects
// any class puts in a span (1024 of 8 bytes).
const bitmapWords = 1024 / 64

// largeClass marks a span holding one large object.
const largeClass = -1

// newSpan returns a span of class k (or largeClass) owned by a over npages
// pages at base in the arena with index ar, every object free. The caller
// enters it into the page map.
func newSpan(a *Allocator, ar int, base, npages uintptr, k int) (*span, error) {
	s, err := allocSpanStruct()
	if err != nil {
		return nil, err
	}
	s.owner, s.base, s.arena, s.npages, s.class = a.id, base, ar, npages, k
	if k == largeClass {
		s.elemSize, s.nelems = npages<<pageShift, 1
		return s, nil
	}
	c := &classes[k]
	s.elemSize, s.divMul, s.nelems = c.size, c.divMul, c.objects
	if uint(k) < a.cachedClasses {
		s.fastOwner = a.id
	}
	for i := uintptr(0); i < s.nelems/64; i++ {
		s.freeBits[i] = ^uint64(0)
	}
	if tail := s.nelems % 64; tail != 0 {
		s.freeBits[s.nelems/64] = 1<<tail - 1
	}
	s.nfree = s.nelems
	return s, nil
}

// bytes is the span's size.
func (s *span) bytes() uintptr { return s.npages << pageShift }

// pointer returns the span's first byte as a pointer.
func (s *span) pointer() unsafe.Pointer { return pointerAt(s.base) }

// index returns the index of the object at addr, and whether addr is the
// start of one.
func (s *span) index(addr uintptr) (uintptr, bool) {
	off := addr - s.base
	i := uintptr(uint64(off) * s.divMul >> divShift)
	return i, i < s.nelems && i*s.elemSize == off
}

// objectStart returns the start of the object holding addr (which lies in
// the span), for messages.
func (s *span) objectStart(addr uintptr) uintptr {
	if s.class == largeClass {
		return s.base
	}
	i, _ := s.index(addr)
	return s.base + i*s.elemSize
}

// takeFree moves up to len(dst) free objects out of the span into dst and
// returns how many. Called with the central's lock held.
func (s *span) takeFree(dst []uintptr) int {
	n := 0
	for w := range s.freeBits {
		for s.freeBits[w] != 0 && n < len(dst) {
			b := bits.TrailingZeros64(s.freeBits[w])
			s.freeBits[w] &^= 1 << b
			dst[n] = s.base + (uintptr(w)*64+uintptr(b))*s.elemSize
			n++
		}
		if n == len(dst) {
			break
		}
	}
	s.nfree -= uintptr(n)
	return n
}

// putFree marks object i free again; false if it already was (the object
// came back twice). Called with the central's lock held.
func (s *span) putFree(i uintptr) bool {
	w, b := i/64, i%64
	if s.freeBits[w]&(1<<b) != 0 {
		return false
	}
	s.freeBits[w] |= 1 << b
	s.nfree++
	return true
}

// spanListID names the central list a span is on.
type spanListID uint8

const (
	onNoList spanListID = iota
	onPartial
	onFull
	onIdle
	numSpanLists
)

// A spanList is a doubly linked list of spans, oldest first.
type spanList struct {
	first, last *span
	n           int
}

func (l *spanList) pushBack(s *span) {
	s.prev, s.next = l.last, nil
	if l.last != nil {
		l.last.next = s
	} else {
		l.first = s
	}
	l.last = s
	l.n++
}

func (l *spanList) remove(s *span) {
	if s.prev != nil {
		s.prev.next = s.next
	} else {
		l.first = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	} else {
		l.last = s.prev
	}
	s.prev, s.next = nil, nil
	l.n--
}
