package slab

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The page map answers "which span owns this address?" for Free, in O(1)
// and without touching the object: a two-level radix over 64 MiB slots
// (4 MiB on 32-bit targets) leads to the slot's page table, which has the
// span owning each of its 8 KiB pages. It is global because addresses are:
// a pointer from another Allocator, from the Go heap or from anywhere else
// finds either no table or a span whose owner is not the caller.
//
// Readers (Free, on every call) take no lock: every level is read with an
// atomic load (a plain load on amd64 and arm64), and a level, once
// published, is not taken back until its arena is unmapped (Close).

const (
	// arenas are 64 MiB slots, aligned to their size (or several); 4 MiB
	// on 32-bit targets, whose whole address space is 4 GiB.
	arenaShift = 22 + 4*(^uintptr(0)>>63)
	arenaSize  = 1 << arenaShift
	arenaPages = arenaSize >> pageShift
	// addrBits is the width of user addresses: 48 on 64-bit targets
	// (amd64 and arm64 without 5-level paging), the whole word on 32-bit
	// ones.
	addrBits     = 32 + 16*(^uintptr(0)>>63)
	pageMapL2Bit = min(12, addrBits-arenaShift) // 10 on 32-bit targets: one table for all
	pageMapL1Bit = addrBits - arenaShift - pageMapL2Bit
)

// pageTable has the entry of each page of one 64 MiB slot: the owning
// span and its class (pageEntry), or 0 for none. Spans live outside the Go
// heap, so the table holds plain numbers and the garbage collector has
// nothing to scan in it. Written by the slot's Allocator under its page
// heap's or a central's lock; read by anyone.
type pageTable [arenaPages]atomic.Uintptr

// A page entry is the owning span's address with the span's size class
// plus one (0 for a large span) in its low bits, which are free because the
// span pool aligns every span struct to spanAlign. One load then gives Free
// both: the push it makes next needs only the class, so it need not wait
// for a second load from the span, whose checks the CPU runs alongside.
// Being one word, an entry never pairs one span with another's class.
const (
	spanAlign      = 64
	entryClassMask = spanAlign - 1
)

// Every class, plus one, fits in an entry's low bits.
var _ [entryClassMask - numClasses]struct{}

// pageEntry returns the entry of a page s owns (nil: none).
func pageEntry(s *span) uintptr {
	if s == nil {
		return 0
	}
	return uintptr(unsafe.Pointer(s)) | uintptr(s.class+1)
}

// entrySpan returns the span of a page entry, nil for none.
func entrySpan(e uintptr) *span {
	// The span struct is outside the Go heap (spanpool.go): see pointerAt.
	return (*span)(pointerAt(e &^ entryClassMask))
}

// entryClass returns the size class of a page entry's span (largeClass for
// a large span).
func entryClass(e uintptr) int { return int(e&entryClassMask) - 1 }

// pageTables is one second-level table: 4096 slots (256 GiB).
type pageTables [1 << pageMapL2Bit]atomic.Pointer[pageTable]

var pageMap struct {
	mu sync.Mutex // serializes writers
	l1 [1 << pageMapL1Bit]atomic.Pointer[pageTables]
}

// An arena is one mapping of whole 64 MiB slots, carved into spans by its
// Allocator's page heap.
type arena struct {
	base uintptr // address of the first byte, arenaSize-aligned
	size uintptr // a multiple of arenaSize
	// mem is base as the pointer the system returned, kept to unmap the
	// arena (pointers into it are made with pointerAt). Nil after Close.
	mem    unsafe.Pointer
	tables []*pageTable // one per slot, also entered in the page map
}

// setSpans makes s the owner of npages pages from base (nil: free).
func (ar *arena) setSpans(base, npages uintptr, s *span) {
	for a := base; a < base+npages<<pageShift; a += pageSize {
		ar.tables[(a-ar.base)>>arenaShift][(a>>pageShift)%arenaPages].Store(pageEntry(s))
	}
}

// forEachSpan calls f once for every span the arena's page tables lead to.
func (ar *arena) forEachSpan(f func(*span)) {
	var last uintptr
	for _, t := range ar.tables {
		for i := range t {
			if e := t[i].Load(); e != 0 && e != last {
				last = e
				f(entrySpan(e))
			}
		}
	}
}

// spanOf returns the span owning addr, or nil if no span of any Allocator
// does.
func spanOf(addr uintptr) *span { return entrySpan(pageEntryOf(addr)) }

// pageEntryOf returns the entry of addr's page (0 if no span of any
// Allocator owns it).
func pageEntryOf(addr uintptr) uintptr {
	if uint64(addr)>>addrBits != 0 { // uint64: a 32-bit word has no bit 32
		return 0
	}
	// l1Index written out: pageEntryOf must stay within the inliner's budget.
	l2 := pageMap.l1[uint64(addr)>>(arenaShift+pageMapL2Bit)%(1<<pageMapL1Bit)].Load()
	if l2 == nil {
		return 0
	}
	t := l2[(addr>>arenaShift)%(1<<pageMapL2Bit)].Load()
	if t == nil {
		return 0
	}
	return t[(addr>>pageShift)%arenaPages].Load()
}

// l1Index is addr's index in the page map's first level (always 0 on
// 32-bit targets, where the shift is the word's whole width).
func l1Index(addr uintptr) uintptr {
	return uintptr(uint64(addr) >> (arenaShift + pageMapL2Bit))
}

// registerArena gives ar a page table per slot and enters them into the
// page map; false if its addresses lie beyond what the map covers.
func registerArena(ar *arena) bool {
	if uint64(ar.base+ar.size-1)>>addrBits != 0 {
		return false
	}
	pageMap.mu.Lock()
	defer pageMap.mu.Unlock()
	for a := ar.base; a < ar.base+ar.size; a += arenaSize {
		i1 := l1Index(a)
		l2 := pageMap.l1[i1].Load()
		if l2 == nil {
			l2 = new(pageTables)
			pageMap.l1[i1].Store(l2)
		}
		t := new(pageTable)
		ar.tables = append(ar.tables, t)
		l2[(a>>arenaShift)%(1<<pageMapL2Bit)].Store(t)
	}
	return true
}

// unregisterArena removes ar from the page map, before it is unmapped.
func unregisterArena(ar *arena) {
	pageMap.mu.Lock()
	defer pageMap.mu.Unlock()
	for a := ar.base; a < ar.base+ar.size; a += arenaSize {
		pageMap.l1[l1Index(a)].Load()[(a>>arenaShift)%(1<<pageMapL2Bit)].Store(nil)
	}
}
