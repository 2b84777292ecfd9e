package main

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/gorseq/percpu/internal/procpin"
)

// A per-P pool built the way sync.Pool is, minus the GC hooks: a small stack
// per P, touched only by a goroutine pinned to that P (runtime.procPin, no
// atomics, no locks), and a shared overflow behind a mutex that half a stack
// at a time moves to and from. This is the honest rival of a per-CPU rseq
// cache: the same fast path, paid for with pinning instead of a restartable
// sequence.
func init() {
	register(Contender{
		Name:    "perp",
		About:   "per-P stacks via procPin + shared overflow",
		NewPool: newPerPPool,
	})
}

// perPSlots is the capacity of each P's stack; perPBatch records move
// between a stack and the overflow at once.
const (
	perPSlots = 32
	perPBatch = perPSlots / 2
)

// perPStack is one P's cache. Only a goroutine pinned to that P touches it.
type perPStack struct {
	n     int
	items [perPSlots]*Item
	_     [128 - 8]byte // keep neighbouring Ps' stacks off this cache line
}

type perPPool struct {
	stacks  []perPStack // indexed by P id; sized to GOMAXPROCS at creation
	newItem func() *Item

	mu       sync.Mutex
	overflow []*Item // guarded by mu; at most poolCapacity
}

func newPerPPool(newItem func() *Item) Pool {
	return &perPPool{
		stacks:   make([]perPStack, runtime.GOMAXPROCS(0)),
		newItem:  newItem,
		overflow: make([]*Item, 0, poolCapacity),
	}
}

// Get pops from this P's stack, or takes a batch from the overflow.
func (p *perPPool) Get() *Item {
	s := p.pin()
	if s != nil && s.n > 0 {
		s.n--
		x := s.items[s.n]
		s.items[s.n] = nil
		p.unpin(s)
		return x
	}
	p.unpin(s)
	return p.refill()
}

// Put pushes onto this P's stack, or moves half of a full stack to the
// overflow first.
func (p *perPPool) Put(x *Item) {
	s := p.pin()
	if s != nil && s.n < perPSlots {
		s.items[s.n] = x
		s.n++
		p.unpin(s)
		return
	}
	p.unpin(s)
	p.evict(x)
}

// pin pins the goroutine and returns its P's stack, or nil for a P added
// after the pool was made. The caller must call unpin.
func (p *perPPool) pin() *perPStack {
	if pid := procpin.Pin(); pid < len(p.stacks) {
		s := &p.stacks[pid]
		raceAcquire(unsafe.Pointer(s))
		return s
	}
	return nil
}

// unpin ends pin.
func (p *perPPool) unpin(s *perPStack) {
	if s != nil {
		raceRelease(unsafe.Pointer(s))
	}
	procpin.Unpin()
}

// The slow paths. A pinned goroutine must not block (the runtime dies with
// "schedule: holding locks"), so the overflow's mutex is only taken
// unpinned, and batches travel between it and a stack in local arrays.

// refill serves a Get on an empty stack: it takes a batch from the
// overflow, keeps all but one on this P's stack and returns that one — or a
// new record if the overflow is empty too.
func (p *perPPool) refill() *Item {
	var batch [perPBatch]*Item
	n := p.takeBatch(&batch)
	if n == 0 {
		return p.newItem()
	}
	rest := batch[:n-1]
	s := p.pin()
	if s != nil {
		k := copy(s.items[s.n:], rest)
		s.n += k
		rest = rest[k:]
	}
	p.unpin(s)
	p.spill(rest) // what no longer fits: the stack filled up meanwhile
	return batch[n-1]
}

// evict serves a Put on a full stack: it moves the older half of this P's
// stack to the overflow and pushes x. (Another goroutine on this P may have
// popped meanwhile; then there is room without moving anything.)
func (p *perPPool) evict(x *Item) {
	var batch [perPBatch]*Item
	s := p.pin()
	if s == nil {
		batch[0] = x // a P added after the pool was made has no stack
	} else {
		if s.n == perPSlots {
			copy(batch[:], s.items[:perPBatch])
			copy(s.items[:], s.items[perPBatch:])
			clear(s.items[perPSlots-perPBatch:])
			s.n -= perPBatch
		}
		s.items[s.n] = x
		s.n++
	}
	p.unpin(s)
	p.spill(batch[:])
}

// takeBatch moves up to a batch of records from the overflow into batch
// and returns how many.
func (p *perPPool) takeBatch(batch *[perPBatch]*Item) int {
	p.mu.Lock()
	n := min(perPBatch, len(p.overflow))
	rest := len(p.overflow) - n
	copy(batch[:], p.overflow[rest:])
	clear(p.overflow[rest:])
	p.overflow = p.overflow[:rest]
	p.mu.Unlock()
	return n
}

// spill moves the records in batch (nil entries are skipped) to the
// overflow, dropping what does not fit.
func (p *perPPool) spill(batch []*Item) {
	p.mu.Lock()
	for _, x := range batch {
		if x != nil && len(p.overflow) < poolCapacity {
			p.overflow = append(p.overflow, x)
		}
	}
	p.mu.Unlock()
}
