package slab

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// The page heap hands out runs of pages for spans and takes them back. It
// owns the Allocator's arenas. Every free run it holds is non-resident:
// either never touched since the arena was mapped, or released with
// madvise before it came back. Spans that keep their memory resident while
// idle stay with their size class (see central), not here.
//
// Runs are kept sorted by address, merged with their neighbours in the
// same arena, and handed out first fit. Spans are created once per span's
// worth of objects, so a linear scan is cheap next to the page faults that
// follow it.
type pageHeap struct {
	mu     sync.Mutex
	arenas []*arena  // guarded by mu
	runs   []pageRun // guarded by mu; sorted by base
	// mapped is the address space of all arenas, in bytes.
	mapped atomic.Int64
	// near leads Free to the page tables of the arenas' slots without the
	// page map.
	near nearTables
}

// pageRun is a run of free pages in one arena.
type pageRun struct {
	ar     int // the arena's index in arenas
	base   uintptr
	npages uintptr
}

func (r pageRun) end() uintptr { return r.base + r.npages<<pageShift }

// alloc returns npages contiguous non-resident pages, mapping a new arena
// if no free run is long enough, and the arena and its index.
func (h *pageHeap) alloc(npages uintptr) (*arena, int, uintptr, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.runs {
		r := &h.runs[i]
		if r.npages < npages {
			continue
		}
		ar, base := r.ar, r.base
		r.base += npages << pageShift
		r.npages -= npages
		if r.npages == 0 {
			h.runs = slices.Delete(h.runs, i, i+1)
		}
		return h.arenas[ar], ar, base, nil
	}
	ar, err := h.grow(npages << pageShift)
	if err != nil {
		return nil, 0, 0, err
	}
	i := len(h.arenas) - 1
	if rest := ar.size>>pageShift - npages; rest > 0 {
		h.insert(pageRun{ar: i, base: ar.base + npages<<pageShift, npages: rest})
	}
	return ar, i, ar.base, nil
}

// grow maps an arena of at least bytes (arenaSize at least).
func (h *pageHeap) grow(bytes uintptr) (*arena, error) {
	size := (bytes + arenaSize - 1) &^ (arenaSize - 1)
	mem, err := mapArena(size)
	if err != nil {
		return nil, err
	}
	ar := &arena{base: uintptr(mem), size: size, mem: mem}
	if !registerArena(ar) {
		unmapArena(mem, size)
		return nil, fmt.Errorf("arena at %#x lies beyond the %d-bit addresses the page map covers", ar.base, addrBits)
	}
	h.arenas = append(h.arenas, ar)
	h.near.add(ar)
	h.mapped.Add(int64(size))
	return ar, nil
}

// free takes back npages pages at base in arena ar. Their memory must
// already be released (or never touched), and no span may own them any
// more.
func (h *pageHeap) free(ar int, base, npages uintptr) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.insert(pageRun{ar: ar, base: base, npages: npages})
}

// insert adds r to the free runs, merging it with adjacent runs of the same
// arena. Called with mu held.
func (h *pageHeap) insert(r pageRun) {
	i, _ := slices.BinarySearchFunc(h.runs, r.base, func(x pageRun, base uintptr) int {
		switch {
		case x.base < base:
			return -1
		case x.base > base:
			return 1
		}
		return 0
	})
	if i > 0 && h.runs[i-1].ar == r.ar && h.runs[i-1].end() == r.base {
		i--
		h.runs[i].npages += r.npages
	} else {
		h.runs = slices.Insert(h.runs, i, r)
	}
	if j := i + 1; j < len(h.runs) && h.runs[j].ar == r.ar && h.runs[i].end() == h.runs[j].base {
		h.runs[i].npages += h.runs[j].npages
		h.runs = slices.Delete(h.runs, j, j+1)
	}
}

// arena returns the arena with index i.
func (h *pageHeap) arena(i int) *arena {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.arenas[i]
}

// freePages returns how many pages the free runs hold.
func (h *pageHeap) freePages() uintptr {
	h.mu.Lock()
	defer h.mu.Unlock()
	var n uintptr
	for _, r := range h.runs {
		n += r.npages
	}
	return n
}

// close recycles every span and unmaps every arena. Nothing in them may be
// used afterwards.
func (h *pageHeap) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.near.clear()
	for _, ar := range h.arenas {
		unregisterArena(ar)
		ar.forEachSpan(freeSpanStruct)
		unmapArena(ar.mem, ar.size)
		ar.mem = nil
	}
	h.arenas, h.runs = nil, nil
	h.mapped.Store(0)
}
