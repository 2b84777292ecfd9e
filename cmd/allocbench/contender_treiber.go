package main

import "sync/atomic"

// A lock-free Treiber stack, one compare-and-swap per Get or Put, made safe
// from ABA with a version counter in the same 64-bit word as the top index.
//
// The stack links records by index, not pointer. A record the pool makes
// gets the next free slot for life (Item.slot, 1-based); the slot's node
// keeps the record and the slot below it. Nodes come in chunks allocated as
// slots are claimed; a record made after all slots are taken gets none and
// is dropped on Put. Because a record keeps its slot while it is held, the
// slots number in the millions: the stack holds what is put back, not only
// poolCapacity records.
//
// ABA: a Get reads top = (v, i) and i's next slot j, then swaps in (v+1, j).
// If, in between, others popped i, popped j and pushed i back, the top index
// is i again but its version is not v (every successful swap adds one), so
// the stale swap fails. The version would have to wrap 2³² times between a
// Get's load and its swap to fool it.
func init() {
	register(Contender{
		Name:    "treiber",
		About:   "lock-free Treiber stack, versioned index top",
		NewPool: newTreiberPool,
	})
}

// Slots come in chunks of treiberChunk nodes, up to treiberChunks chunks.
const (
	treiberChunkShift = 12
	treiberChunk      = 1 << treiberChunkShift
	treiberChunks     = 256
)

type treiberPool struct {
	// top is version<<32 | slot of the top record (0: empty).
	top     atomic.Uint64
	chunks  [treiberChunks]atomic.Pointer[treiberNodes]
	claimed atomic.Uint32 // slots given out so far
	newItem func() *Item
}

// treiberNodes is a chunk of nodes.
type treiberNodes struct {
	next  [treiberChunk]atomic.Uint32 // the slot below; written by the record's holder before a push
	items [treiberChunk]*Item         // the slot's record; written once, before the record is handed out
}

func newTreiberPool(newItem func() *Item) Pool {
	return &treiberPool{newItem: newItem}
}

func (p *treiberPool) Get() *Item {
	for {
		top := p.top.Load()
		slot := uint32(top)
		if slot == 0 {
			return p.create()
		}
		nodes, i := p.node(slot)
		below := nodes.next[i].Load()
		if p.top.CompareAndSwap(top, nextVersion(top)|uint64(below)) {
			return nodes.items[i]
		}
	}
}

func (p *treiberPool) Put(x *Item) {
	slot := x.slot
	if slot == 0 || slot > p.claimed.Load() {
		return // made after the slots ran out: drop
	}
	nodes, i := p.node(slot)
	if nodes == nil || nodes.items[i] != x {
		return // not one of ours: drop
	}
	for {
		top := p.top.Load()
		nodes.next[i].Store(uint32(top))
		if p.top.CompareAndSwap(top, nextVersion(top)|uint64(slot)) {
			return
		}
	}
}

// node returns the chunk and index of a slot's node.
func (p *treiberPool) node(slot uint32) (*treiberNodes, int) {
	i := slot - 1
	return p.chunks[i>>treiberChunkShift].Load(), int(i % treiberChunk)
}

// create makes a new record and gives it a slot if one is left, allocating
// the slot's chunk if it is the first there.
func (p *treiberPool) create() *Item {
	x := p.newItem()
	slot := p.claimed.Add(1)
	if slot > treiberChunk*treiberChunks {
		return x
	}
	c := &p.chunks[(slot-1)>>treiberChunkShift]
	nodes := c.Load()
	if nodes == nil {
		c.CompareAndSwap(nil, new(treiberNodes))
		nodes = c.Load() // ours, or the one another create installed first
	}
	nodes.items[(slot-1)%treiberChunk] = x
	x.slot = slot
	return x
}

// nextVersion returns top's version plus one, in the high word.
func nextVersion(top uint64) uint64 { return (top>>32 + 1) << 32 }
