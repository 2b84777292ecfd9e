package main

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
)

// Sharded lock-free rings: several bounded multi-producer multi-consumer
// queues (Vyukov's design: a sequence number per cell), picked at random per
// operation and scanned in turn when the first is empty or full. It shows
// what spreading atomics over shards buys without knowing the CPU.
func init() {
	register(Contender{
		Name:    "ring",
		About:   "sharded lock-free MPMC rings, random shard",
		NewPool: newRingPool,
	})
}

type ringPool struct {
	shards  []ring
	newItem func() *Item
}

// ringShardsPerP shards per P keep two goroutines from usually meeting on
// one ring; together the rings hold poolCapacity records.
const ringShardsPerP = 4

func newRingPool(newItem func() *Item) Pool {
	n := ringShardsPerP * runtime.GOMAXPROCS(0)
	p := &ringPool{shards: make([]ring, n), newItem: newItem}
	for i := range p.shards {
		p.shards[i].init(ringCapacity(poolCapacity / n))
	}
	return p
}

// ringCapacity returns the power of two at most n (at least 1).
func ringCapacity(n int) int {
	c := 1
	for c*2 <= n {
		c *= 2
	}
	return c
}

func (p *ringPool) Get() *Item {
	start := rand.IntN(len(p.shards))
	for i := range p.shards {
		if x := p.shards[(start+i)%len(p.shards)].pop(); x != nil {
			return x
		}
	}
	return p.newItem()
}

func (p *ringPool) Put(x *Item) {
	start := rand.IntN(len(p.shards))
	for i := range p.shards {
		if p.shards[(start+i)%len(p.shards)].push(x) {
			return
		}
	}
}

// ring is a bounded MPMC queue. Cell c is free for the push at position pos
// when c.seq == pos, and full for the pop at pos when c.seq == pos+1; a pop
// sets it to pos+len(cells), freeing it for the next lap.
type ring struct {
	_     [64]byte
	tail  atomic.Uint64 // next push position
	_     [56]byte
	head  atomic.Uint64 // next pop position
	_     [56]byte
	cells []ringCell
	mask  uint64
}

type ringCell struct {
	seq  atomic.Uint64
	item *Item // written by the push that claimed the cell, before seq publishes it
}

func (r *ring) init(capacity int) {
	r.cells = make([]ringCell, capacity)
	r.mask = uint64(capacity - 1)
	for i := range r.cells {
		r.cells[i].seq.Store(uint64(i))
	}
}

// push adds x and reports whether there was room.
func (r *ring) push(x *Item) bool {
	pos := r.tail.Load()
	for {
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos:
			if r.tail.CompareAndSwap(pos, pos+1) {
				c.item = x
				c.seq.Store(pos + 1) // publishes item to the pop at pos
				return true
			}
			pos = r.tail.Load()
		case seq < pos: // the cell still holds last lap's record: full
			return false
		default: // another push took pos
			pos = r.tail.Load()
		}
	}
}

// pop removes and returns a record, or nil if the ring is empty.
func (r *ring) pop() *Item {
	pos := r.head.Load()
	for {
		c := &r.cells[pos&r.mask]
		switch seq := c.seq.Load(); {
		case seq == pos+1:
			if r.head.CompareAndSwap(pos, pos+1) {
				x := c.item
				c.item = nil
				c.seq.Store(pos + r.mask + 1) // frees the cell for the next lap
				return x
			}
			pos = r.head.Load()
		case seq < pos+1: // not pushed yet: empty
			return nil
		default: // another pop took pos
			pos = r.head.Load()
		}
	}
}
