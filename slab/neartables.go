package slab

import "sync/atomic"

// Near tables take the page map out of Free's way. The page map is global
// and three loads deep (first level, second level, page table), each load
// waiting for the one before, and then the span, and then the section
// descriptor of its class: on a Free of 64 bytes that chain was most of
// the difference between slab's Alloc+Free and sync.Pool's Get+Put.
//
// An Allocator's own slots are few (most Allocators map one arena of one
// 64 MiB slot), so each Allocator keeps a small direct-mapped cache from
// slot to page table: entry slot%nearSlots holds the first slot of its
// arenas that mapped there. Finding it needs the address and the
// Allocator, both at hand, so Free's chain starts at the page table. A slot
// the cache does not hold — another Allocator's, the Go heap's, or one of
// its own past the first nearSlots — goes to the page map as before, so
// the cache decides only how fast an answer comes, never what it is.

// nearSlots is how many slots the cache holds: 1 GiB of arenas when they
// are contiguous. A power of two.
const nearSlots = 16

// nearTables is the cache. An entry is written once, under the page heap's
// lock, when its arena is mapped (table, then key), and emptied when the
// Allocator closes; readers load key, then table.
type nearTables [nearSlots]struct {
	// key is the slot's number (address>>arenaShift) plus one, so that the
	// empty entry (0) matches no address, not even nil's.
	key   atomic.Uintptr
	table atomic.Pointer[pageTable]
}

// entry returns the page entry of addr if the cache holds addr's slot, and
// 0 otherwise (also for a page no span owns).
func (n *nearTables) entry(addr uintptr) uintptr {
	e := &n[(addr>>arenaShift)%nearSlots]
	if e.key.Load() != addr>>arenaShift+1 {
		return 0
	}
	return e.table.Load()[(addr>>pageShift)%arenaPages].Load()
}

// add caches the page tables of ar's slots where their entries are empty.
// ar must be registered (registerArena). Called with the page heap's lock
// held.
func (n *nearTables) add(ar *arena) {
	for i, t := range ar.tables {
		slot := ar.base>>arenaShift + uintptr(i)
		if e := &n[slot%nearSlots]; e.key.Load() == 0 {
			e.table.Store(t)
			e.key.Store(slot + 1) // after table: a reader that sees key sees table
		}
	}
}

// clear empties the cache, before the arenas are unregistered and unmapped.
// Called with the page heap's lock held.
func (n *nearTables) clear() {
	for i := range n {
		n[i].key.Store(0)
	}
}
